"""Issue 12: every outbound fetch goes through one module with the fetch rules.

Each rule is proved against a real server started here (http.server on 127.0.0.1, an
ephemeral port, in a thread; https with a self-signed certificate trusted by the test's own
fetcher only), and the wallet route over HTTP through the app: a holder can no longer make
the server probe loopback, private or metadata addresses, and a closed port is a 4xx that
reads exactly like every other failure.
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import secrets
import socket
import ssl
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from issuers.pipeline import vct_for
from keys.b64 import b64url_encode
from keys.jws import Signer, generate_private_key
from schemas.errors import FetchFailed, FetchRefused, OutboundFetchError, SignatureInvalid, StatusUnavailable
from tests.wallet_app import ABSTRACT, MobileApp, person_with_types, register_bank
from verifiers.models import RelyingParty
from verifiers.outbound_http import ADDRESS_REFUSED, FAILED, FetchPolicy, OutboundFetcher, parse_allow_entry, same_origin_target
from verifiers.oid4vp.verifier_identity import request_signer, x5c
from wallet_api.app import create_app
from wallet_api.settings import Settings
from wallet_api.wallet.fetching import Fetched, InProcessFetcher

TOTAL_BIG_BYTES = 64 << 20


# --- a local server -----------------------------------------------------------------------
class LocalServer:
    """Answers by path; remembers every request it saw. ``tls``: a context to serve https."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[str] = []
        self.request_object = ""
        self.big_sent = 0
        self.big_done = threading.Event()
        self.stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str = "text/plain", **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.seen.append(self.path)
                port = server.port
                if self.path == "/ok":
                    self._answer(200, b"hello")
                elif self.path == "/request-object":
                    self._answer(200, server.request_object.encode(), "application/oauth-authz-req+jwt")
                elif self.path == "/garbage":
                    self._answer(200, b"not a request object", "application/oauth-authz-req+jwt")
                elif self.path == "/redirect":
                    self._answer(302, b"", Location=f"http://127.0.0.1:{port}/ok")
                elif self.path == "/error":
                    self._answer(500, b"internal detail of the service behind")
                elif self.path == "/big":
                    self._big()
                elif self.path == "/declared-big":
                    self.send_response(200)
                    self.send_header("Content-Length", str(10**9))
                    self.end_headers()
                    self.wfile.write(b"x" * 1024)
                elif self.path == "/drip":
                    self._drip()
                else:
                    self._answer(404, b"no such thing")

            def do_POST(self) -> None:
                server.seen.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/resp-refuses":
                    self._answer(400, b'{"error":"invalid_request"}', "application/json")
                elif self.path == "/redirect":
                    self._answer(307, b"", Location=f"http://127.0.0.1:{server.port}/resp")
                elif self.path == "/resp-teapot":
                    self._answer(418, b"<html>internal admin</html>", "text/html")
                else:
                    self._answer(200, b"{}", "application/json")

            def _big(self) -> None:
                # no Content-Length: only a cap applied while reading can stop this
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"x" * 65536
                try:
                    while server.big_sent < TOTAL_BIG_BYTES:
                        self.wfile.write(chunk)
                        server.big_sent += len(chunk)
                except OSError:
                    pass
                finally:
                    server.big_done.set()

            def _drip(self) -> None:
                # each byte arrives well within any per-read timeout; only a total deadline ends it
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    while not server.stop.wait(0.05):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                except OSError:
                    pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, a client context trusting only that certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(pem)
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cadata=pem.decode())
    return serving, trusting


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[LocalServer, ssl.SSLContext]]:
    serving, trusting = _self_signed(tmp_path)
    with LocalServer(tls=serving) as running:
        yield running, trusting


def _fetcher(environment: str, **kwargs: Any) -> OutboundFetcher:
    return OutboundFetcher(FetchPolicy.for_environment(environment, **kwargs))


def _failure(call: Any) -> OutboundFetchError:
    with pytest.raises(OutboundFetchError) as caught:
        call()
    return caught.value


def _answer(error: OutboundFetchError) -> tuple[int, str, str]:
    return error.status, error.code, error.detail


# --- the rules, one by one -----------------------------------------------------------------
def test_plain_http_goes_to_loopback_only_and_only_in_development(server: LocalServer) -> None:
    url = f"http://127.0.0.1:{server.port}/ok"
    assert _fetcher("development").get(url, accept="text/plain").text == "hello"
    assert _fetcher("development").get(f"http://localhost:{server.port}/ok", accept="text/plain").text == "hello"
    refused = _failure(lambda: _fetcher("production").get(url, accept="text/plain"))
    assert isinstance(refused, FetchRefused) and refused.code == "fetch_refused" and refused.status == 400
    # development opens loopback, not the private network: http or https
    for other in ("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "https://192.168.1.1/"):
        assert isinstance(_failure(lambda: _fetcher("development").get(other, accept="*/*")), FetchRefused), other
    for scheme in ("ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "openid4vp://x"):
        assert isinstance(_failure(lambda: _fetcher("development").get(scheme, accept="*/*")), FetchRefused), scheme
    assert server.seen == ["/ok", "/ok"]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",  # loopback
        "localhost",  # a name that resolves to loopback
        "127.1",  # loopback, short form
        "2130706433",  # loopback, as one number
        "0x7f000001",  # loopback, in hex
        "[::ffff:127.0.0.1]",  # loopback, IPv4-mapped IPv6
        "[::1]",
        "0.0.0.0",
    ],
)
def test_loopback_in_any_spelling_is_refused_in_production(server: LocalServer, host: str) -> None:
    refused = _failure(lambda: _fetcher("production").get(f"https://{host}:{server.port}/ok", accept="*/*"))
    assert isinstance(refused, FetchRefused)
    assert _answer(refused) == (400, "fetch_refused", ADDRESS_REFUSED)
    assert server.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.0.1/",
        "https://169.254.169.254/latest/meta-data/",  # AWS, GCP, Azure, OCI metadata
        "https://100.100.100.200/",  # CGNAT (Alibaba metadata)
        "https://[fd00:ec2::254]/",  # AWS metadata over IPv6, unique-local
        "https://[fe80::1]/",
        "https://[::ffff:169.254.169.254]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of 169.254.169.254
        "https://[2002:a9fe:a9fe::1]/",  # 6to4 form of 169.254.169.254
        "https://224.0.0.1/",
        "https://[ff02::1]/",
        "https://[::]/",
        "https://168.63.129.16/",  # Azure wire server
    ],
)
def test_private_link_local_and_metadata_addresses_are_refused(url: str) -> None:
    for environment in ("production", "development"):
        refused = _failure(lambda: _fetcher(environment).get(url, accept="*/*"))
        assert _answer(refused) == (400, "fetch_refused", ADDRESS_REFUSED), (environment, url)


def test_urls_that_hide_their_host_are_refused(server: LocalServer) -> None:
    fetcher = _fetcher("development")
    for url in (
        f"http://ecert.test@127.0.0.1:{server.port}/ok",
        f"http://user:pass@127.0.0.1:{server.port}/ok",
        f"http://127.0.0.1:{server.port}\\@evil.example/ok",
        f"http://127.0.0.1:{server.port}/o k",
        "http://exa%6dple.com/",
        "http:/127.0.0.1/ok",
        "https:///ok",
    ):
        assert isinstance(_failure(lambda: fetcher.get(url, accept="*/*")), FetchRefused), url
    assert server.seen == []


def test_the_address_connected_to_is_the_address_checked(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a name that answers an allowed address first and our loopback next."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.1", "127.0.0.1"])
    asked: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            address = next(answers)
            asked.append(address)
            return real(address, *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # 127.0.0.2 stands for an address the operator allowed; nothing listens there
    fetcher = _fetcher("production", allow_hosts=("127.0.0.2/32",), timeout_s=2.0)
    failed = _failure(lambda: fetcher.get(f"https://rebind.test:{server.port}/ok", accept="*/*"))
    assert isinstance(failed, FetchFailed)
    assert asked == ["127.0.0.2"] and server.seen == []


def test_the_allow_list_lets_a_host_through(tls_server: tuple[LocalServer, ssl.SSLContext]) -> None:
    server, trusting = tls_server
    for entry, url in (
        ("127.0.0.0/8", f"https://127.0.0.1:{server.port}/ok"),
        ("localhost", f"https://localhost:{server.port}/ok"),
        ("LOCALHOST.", f"https://LocalHost:{server.port}/ok"),
    ):
        allowed = _fetcher("production", allow_hosts=(entry,), ssl_context=trusting)
        assert allowed.get(url, accept="text/plain").text == "hello", entry
    # the list opens addresses, not plain http
    allowed = _fetcher("production", allow_hosts=("127.0.0.0/8",), ssl_context=trusting)
    assert isinstance(_failure(lambda: allowed.get(f"http://127.0.0.1:{server.port}/ok", accept="*/*")), FetchRefused)
    # one listed network does not open another
    other = _fetcher("production", allow_hosts=("10.0.0.0/8", "issuer.internal"), ssl_context=trusting)
    assert isinstance(_failure(lambda: other.get(f"https://127.0.0.1:{server.port}/ok", accept="*/*")), FetchRefused)
    assert server.seen == ["/ok", "/ok", "/ok"]
    # and TLS still checks the certificate: a fetcher that does not trust it fails
    untrusting = _fetcher("production", allow_hosts=("127.0.0.0/8",))
    assert _answer(_failure(lambda: untrusting.get(f"https://127.0.0.1:{server.port}/ok", accept="*/*"))) == (400, "fetch_failed", FAILED)


def test_allow_list_entries_are_checked_when_the_settings_load(tmp_path: Path) -> None:
    assert parse_allow_entry("10.20.0.0/16")[0] == "network"
    assert parse_allow_entry("Issuer.Internal.") == ("host", "issuer.internal")
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path, outbound_allow_hosts=["not a host/32"])
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path, outbound_allow_hosts=["https://issuer.example/"])


def test_allow_list_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECERT_OUTBOUND_ALLOW_HOSTS", '["issuer.internal", "10.20.0.0/16"]')
    monkeypatch.setenv("ECERT_OUTBOUND_TIMEOUT_S", "2.5")
    loaded = Settings(data_dir=tmp_path)
    assert loaded.outbound_allow_hosts == ["issuer.internal", "10.20.0.0/16"] and loaded.outbound_timeout_s == 2.5


def test_redirects_are_failures_even_to_the_same_host(server: LocalServer) -> None:
    failed = _failure(lambda: _fetcher("development").get(f"http://127.0.0.1:{server.port}/redirect", accept="*/*"))
    assert _answer(failed) == (400, "fetch_failed", FAILED)
    assert server.seen == ["/redirect"]


def test_oversized_answers_are_cut_off_while_streaming(server: LocalServer) -> None:
    fetcher = _fetcher("development", max_bytes=64 * 1024)
    failed = _failure(lambda: fetcher.get(f"http://127.0.0.1:{server.port}/big", accept="*/*"))
    assert _answer(failed) == (400, "fetch_failed", FAILED)
    assert server.big_done.wait(10)
    # the server could not send it all: the fetcher hung up instead of reading to the end
    assert server.big_sent < TOTAL_BIG_BYTES
    declared = _failure(lambda: fetcher.get(f"http://127.0.0.1:{server.port}/declared-big", accept="*/*"))
    assert _answer(declared) == (400, "fetch_failed", FAILED)
    # a cap of its own for one kind of document
    assert fetcher.get(f"http://127.0.0.1:{server.port}/ok", accept="*/*", max_bytes=5).text == "hello"
    assert isinstance(_failure(lambda: fetcher.get(f"http://127.0.0.1:{server.port}/ok", accept="*/*", max_bytes=4)), FetchFailed)


def test_a_slow_answer_runs_into_the_total_deadline(server: LocalServer) -> None:
    fetcher = _fetcher("development", timeout_s=0.5)
    failed = _failure(lambda: fetcher.get(f"http://127.0.0.1:{server.port}/drip", accept="*/*"))
    assert _answer(failed) == (400, "fetch_failed", FAILED)


def test_every_failure_reads_the_same(tls_server: tuple[LocalServer, ssl.SSLContext], server: LocalServer, closed_port: int) -> None:
    """Closed port, open port with an error, timeout, TLS failure, redirect, oversize: one answer."""
    tls, _trusting = tls_server
    fetcher = _fetcher("development", timeout_s=0.5, max_bytes=64 * 1024)
    base = f"http://127.0.0.1:{server.port}"
    answers = {
        url: _answer(_failure(lambda: fetcher.get(url, accept="*/*")))
        for url in (
            f"http://127.0.0.1:{closed_port}/",
            f"{base}/error",
            f"{base}/nothing-here",
            f"{base}/drip",
            f"{base}/redirect",
            f"{base}/big",
            f"https://127.0.0.1:{tls.port}/ok",  # a certificate nobody trusts
            f"https://127.0.0.1:{server.port}/ok",  # TLS to a plain-http port
        )
    }
    assert set(answers.values()) == {(400, "fetch_failed", FAILED)}, answers


def test_a_form_post_passes_the_recipients_refusal_and_nothing_else(server: LocalServer) -> None:
    fetcher = _fetcher("development")
    base = f"http://127.0.0.1:{server.port}"
    assert fetcher.post_form(f"{base}/resp", {"vp_token": "x"}).status == 200
    refused = fetcher.post_form(f"{base}/resp-refuses", {"vp_token": "x"})
    assert refused.status == 400 and refused.json() == {"error": "invalid_request"}
    assert isinstance(_failure(lambda: fetcher.post_form(f"{base}/redirect", {})), FetchFailed)


# --- our own origin, and only it, in-process ------------------------------------------------
@pytest.mark.parametrize(
    ("url", "ours"),
    [
        ("https://ecert.test/openid4vp/requests/1", "/openid4vp/requests/1"),
        ("https://ECERT.TEST/openid4vp/requests/1?x=1", "/openid4vp/requests/1?x=1"),
        ("https://ecert.test./openid4vp/requests/1", "/openid4vp/requests/1"),
        ("https://ecert.test:443/openid4vp/requests/1", "/openid4vp/requests/1"),
        ("https://ecert.test", "/"),
        ("https://ecert.test@evil.example/openid4vp/requests/1", None),
        ("https://ecert.test:@evil.example/", None),
        ("https://evil.example#@ecert.test/", None),
        ("https://evil.example\\@ecert.test/", None),
        ("https://ecert.test.evil.com/openid4vp/requests/1", None),
        ("https://evilecert.test/", None),
        ("https://ecert.test:8443/openid4vp/requests/1", None),
        ("http://ecert.test/openid4vp/requests/1", None),
        ("https://ecert.test%2f@evil.example/", None),
        ("https://user@ecert.test/openid4vp/requests/1", None),
        ("//ecert.test/openid4vp/requests/1", None),
    ],
)
def test_the_own_origin_check_cannot_be_fooled(url: str, ours: str | None) -> None:
    assert same_origin_target(url, "https://ecert.test") == ours


def test_only_our_own_origin_skips_the_fetch_rules() -> None:
    class Recording:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def get(self, uri: str, *, accept: str) -> Fetched:
            self.asked.append(uri)
            return Fetched(599, "", "")

        def post_form(self, uri: str, form: Any) -> Fetched:
            self.asked.append(uri)
            return Fetched(599, "", "")

    outside = Recording()
    fetcher = InProcessFetcher(app=None, own_origin="https://ecert.test/", fallback=outside)
    for url in ("https://ecert.test@127.0.0.1/x", "https://ecert.test.evil.com/x", "https://ecert.test:444/x"):
        assert fetcher.get(url, accept="*/*").status == 599
    assert fetcher.post_form("https://ecert.test@127.0.0.1/x", {}).status == 599
    assert len(outside.asked) == 4


# --- over HTTP, through the app ----------------------------------------------------------------
def _uri(request_uri: str, client_id: str = "x509_hash:AAAA") -> str:
    return "openid4vp://?" + urlencode({"client_id": client_id, "request_uri": request_uri})


def _signed_in(client: TestClient) -> MobileApp:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    app.sign_in(app.register_device())
    return app


def test_resolve_with_a_closed_port_is_a_4xx_that_reads_like_an_open_one(
    client: TestClient, server: LocalServer, closed_port: int
) -> None:
    app = _signed_in(client)

    def resolve(request_uri: str) -> Any:
        return client.post("/v1/wallet/presentations/resolve", json={"uri": _uri(request_uri)}, headers=app.auth)

    closed = resolve(f"http://127.0.0.1:{closed_port}/request")
    assert closed.status_code == 400, closed.text
    assert closed.headers["content-type"] == "application/problem+json"
    erring = resolve(f"http://127.0.0.1:{server.port}/error")
    missing = resolve(f"http://127.0.0.1:{server.port}/nothing-here")
    for answer in (erring, missing):
        assert (answer.status_code, answer.json()) == (closed.status_code, closed.json())
    assert closed.json()["code"] == "fetch_failed" and closed.json()["detail"] == FAILED
    # the remote status is not reported back
    assert "500" not in erring.text and "404" not in missing.text
    # development: a verifier on this machine over plain http is fetched (and what it sent checked)
    fetched = resolve(f"http://127.0.0.1:{server.port}/garbage")
    assert fetched.status_code == 400 and fetched.json()["code"] == "request_invalid"
    assert server.seen == ["/error", "/nothing-here", "/garbage"]


@pytest.fixture
def production_client(tmp_path: Path, settings: Settings, server: LocalServer) -> Iterator[tuple[TestClient, Signer]]:
    """The app in production, with an identity provider the test plays, and a trust list
    naming an issuer whose JWKS is on this machine."""
    provider = Signer.from_private_key(generate_private_key("ES256"), kid="k1")
    trust_list = tmp_path / "trust.toml"
    trust_list.write_text(
        f'[[issuers]]\niss = "https://issuer.example"\njwks_uri = "http://127.0.0.1:{server.port}/jwks"\nvcts = ["urn:example:pid"]\n'
    )
    production = Settings(
        environment="production",
        data_dir=tmp_path / "production",
        database_url=settings.database_url,
        public_url="https://ecert.test",
        key_passphrase=secrets.token_urlsafe(32),
        storage_key=b64url_encode(secrets.token_bytes(32)),
        identity_providers=[{"issuer": "https://pass.example", "jwks": {"keys": [{**provider.public_jwk, "kid": "k1"}]}}],
        trust_list=trust_list,
    )
    with TestClient(create_app(production), base_url="https://ecert.test") as client:
        yield client, provider


def _signed_in_production(client: TestClient, provider: Signer) -> MobileApp:
    person = person_with_types(client, 1)[0]
    now = client.app.state.ecert.clock.epoch()  # type: ignore[attr-defined]
    assertion = provider.sign_compact(
        {"typ": "JWT"},
        {"iss": "https://pass.example", "aud": "https://ecert.test", "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex,
         "rrn": person.rrn, "name": person.name, "birth_date": person.birth_date.isoformat()},
    )
    enrolled = client.post("/v1/holders", json={"identity_assertion": assertion})
    assert enrolled.status_code == 201, enrolled.text
    app = MobileApp(client, person)
    app.enrolment_token, app.holder_id = enrolled.json()["enrolment_token"], enrolled.json()["holder_id"]
    app.sign_in(app.register_device())
    return app


def test_resolve_in_production_reaches_no_loopback_private_or_metadata_address(
    production_client: tuple[TestClient, Signer], server: LocalServer
) -> None:
    client, provider = production_client
    app = _signed_in_production(client, provider)
    for request_uri in (
        f"http://127.0.0.1:{server.port}/ok",
        f"https://127.0.0.1:{server.port}/ok",
        f"https://localhost:{server.port}/ok",
        f"https://[::ffff:127.0.0.1]:{server.port}/ok",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://10.0.0.7:6379/",
        f"https://ecert.test@127.0.0.1:{server.port}/ok",
    ):
        r = client.post("/v1/wallet/presentations/resolve", json={"uri": _uri(request_uri)}, headers=app.auth)
        assert r.status_code == 400 and r.json()["code"] == "fetch_refused", (request_uri, r.text)
        # nothing resolved is echoed
        assert "127.0.0.1" not in r.json()["detail"] and str(server.port) not in r.text
    assert server.seen == []


def test_status_lists_and_jwks_are_fetched_under_the_same_rules(production_client: tuple[TestClient, Signer], server: LocalServer) -> None:
    client, _provider = production_client
    state = client.app.state.ecert  # type: ignore[attr-defined]
    services = state.verifier
    for uri in (f"http://127.0.0.1:{server.port}/statuslists/1", f"https://localhost:{server.port}/statuslists/1"):
        with pytest.raises(StatusUnavailable):
            services.status_checker.refresh(uri)
    with Session(state.engine) as session:
        with pytest.raises(SignatureInvalid):
            services.trust_for(session).issuer("https://issuer.example").key("k1")
    assert server.seen == []


def _remote_bank_request(client: TestClient, server: LocalServer, response_uri: str) -> str:
    """A registered bank's signed request object, served from the local server by reference."""
    state = client.app.state.ecert  # type: ignore[attr-defined]
    _api_key, client_id = register_bank(client, name=f"Bank {uuid.uuid4().hex[:6]}")
    with Session(state.engine) as session:
        row = session.exec(select(RelyingParty).where(RelyingParty.client_id == client_id)).one()
    signer = request_signer(client_id=client_id, sealed_private_key=row.sealed_private_key, sealer=state.sealer)
    now = state.clock.epoch()
    payload = {
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": secrets.token_urlsafe(16),
        "state": secrets.token_urlsafe(8),
        "dcql_query": {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": [vct_for(state.settings.issuer_id, ABSTRACT)]},
                                        "claims": [{"path": ["name"]}]}]},
        "iat": now,
        "exp": now + 600,
    }
    server.request_object = signer.sign_compact({"typ": "oauth-authz-req+jwt", "x5c": x5c(row.certificate_der)}, payload, include_kid=False)
    return _uri(f"http://127.0.0.1:{server.port}/request-object", client_id)


def _present(client: TestClient, app: MobileApp, phone: str, credential: str, uri: str) -> Any:
    resolved = client.post("/v1/wallet/presentations/resolve", json={"uri": uri}, headers=app.auth)
    assert resolved.status_code == 200, resolved.text
    consent = resolved.json()["consent_id"]
    prepared = client.post(f"/v1/wallet/presentations/{consent}/prepare", json={"credential_ids": [credential], "device_id": phone}, headers=app.auth)
    assert prepared.status_code == 200, prepared.text
    return client.post(f"/v1/wallet/presentations/{consent}/submit", json={"kb_jwt_signatures": app.sign_items(prepared.json(), phone)}, headers=app.auth)


def test_a_response_endpoint_that_does_not_answer_is_a_4xx_and_recorded(client: TestClient, server: LocalServer, closed_port: int) -> None:
    app = MobileApp(client, person_with_types(client, 1)[0])
    app.enrol()
    phone = app.register_device()
    app.sign_in(phone)
    credential = app.obtain(ABSTRACT, phone)["id"]

    submitted = _present(client, app, phone, credential, _remote_bank_request(client, server, f"http://127.0.0.1:{closed_port}/resp"))
    assert submitted.status_code == 400 and submitted.json()["code"] == "fetch_failed", submitted.text
    # a verifier's refusal is its OAuth error code; anything else is not echoed (no HTTP status)
    refused = _present(client, app, phone, credential, _remote_bank_request(client, server, f"http://127.0.0.1:{server.port}/resp-refuses"))
    assert refused.status_code == 200 and refused.json()["outcome"] == "refused:invalid_request"
    teapot = _present(client, app, phone, credential, _remote_bank_request(client, server, f"http://127.0.0.1:{server.port}/resp-teapot"))
    assert teapot.status_code == 200 and teapot.json()["outcome"] == "refused:unspecified"
    delivered = _present(client, app, phone, credential, _remote_bank_request(client, server, f"http://127.0.0.1:{server.port}/resp"))
    assert delivered.status_code == 200 and delivered.json()["outcome"] == "delivered"
    history = client.get("/v1/wallet/submissions", headers=app.auth).json()
    assert sorted(h["outcome"] for h in history) == ["delivered", "refused:invalid_request", "refused:unspecified", "undelivered"]
    assert server.seen.count("/request-object") == 4


def test_the_wallet_uses_the_apps_one_outbound_fetcher(client: TestClient, tls_server: tuple[LocalServer, ssl.SSLContext]) -> None:
    """The app's one outbound fetcher is the one the wallet uses (here: trusting a test CA)."""
    server, trusting = tls_server
    state = client.app.state.ecert  # type: ignore[attr-defined]
    state.outbound = OutboundFetcher(FetchPolicy.for_environment("development", ssl_context=trusting))
    app = _signed_in(client)
    r = client.post("/v1/wallet/presentations/resolve", json={"uri": _uri(f"https://localhost:{server.port}/garbage")}, headers=app.auth)
    assert r.status_code == 400 and r.json()["code"] == "request_invalid", r.text
    assert server.seen == ["/garbage"]
