"""Every HTTP request this service makes to a URL someone else named goes through here.

A holder's ``request_uri``, a relying party's ``response_uri``, an issuer's status list or
JWKS: each is a URL chosen outside this service, so each fetch could be aimed at what sits
next to the server (a database port, a cloud metadata endpoint, an admin page on loopback).
``OutboundFetcher`` enforces the rules of ``DESIGN.md`` ("Working with outsiders") for all
of them, in one place:

- https only; plain http only to a loopback address, and only in development;
- the host's addresses are resolved once, each is checked, and the connection goes to a
  checked address (a custom httpcore network backend), so a DNS answer that changes between
  check and connect (rebinding) cannot steer it; TLS still verifies the host *name*;
- refused addresses: private, loopback (outside development), link-local, CGNAT,
  unique-local, site-local, multicast, unspecified, reserved, documentation, cloud metadata,
  and the same inside IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses, unless
  the operator allow-lists the host name or a network (``FetchPolicy.allow_hosts``);
- no redirects (a 3xx is a failure), no proxies from the environment, no decompression;
- one deadline for the whole exchange (resolve, connect, TLS, every read and write) and a
  size cap enforced while the body streams in.

Failures are two codes only, so an answer never tells what is listening: ``fetch_refused``
(the URL or its host's address is not one we fetch from; the addresses are not echoed) and
``fetch_failed`` (everything that happened after that: closed port, refused connection,
timeout, TLS error, a non-2xx status, an oversized or malformed answer), each with one fixed
text. What actually happened is logged (host and failure class, never the URL's query).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpcore

from keys.json_document import read_json
from schemas.errors import FetchFailed, FetchRefused, OutboundFetchError

log = logging.getLogger("ecert.outbound")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_CHARS = 4096
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 1 << 20
USER_AGENT = "ecert-wallet"
_DEFAULT_PORTS = {"https": 443, "http": 80}
#: RFC 1123 labels (and ``_``, which real service names use); IDNs only in their xn-- form
_HOST_NAME = re.compile(r"^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$")
#: printable ASCII without space: anything else would be re-encoded differently by each parser
_URL_CHARS = re.compile(r"^[\x21-\x7e]+$")

#: never fetched from unless a network of the allow-list covers them. Python's ``is_global``
#: differs between versions, so the ranges are spelled out (and ``is_global`` checked too).
DENIED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # CGNAT (also Alibaba's metadata 100.100.100.200)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (AWS/GCP/Azure/OCI metadata 169.254.169.254)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "168.63.129.16/32",  # Azure wire server (a public address answering only inside Azure)
        "::/128",  # unspecified
        "::1/128",  # loopback
        "100::/64",  # discard
        "2001:db8::/32",  # documentation
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHID, ...)
        "fc00::/7",  # unique-local (AWS metadata fd00:ec2::254)
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated, still routed on some networks)
        "ff00::/8",  # multicast
    )
)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if packed[:12] == bytes(12) and packed[12:] != bytes(4) and packed[12:] != b"\x00\x00\x00\x01":
        return ipaddress.IPv4Address(packed[12:])  # IPv4-compatible ::a.b.c.d
    if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64: the gateway connects to a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def _plain(address: IPAddress) -> IPAddress:
    """The address as routed: an IPv6 form of an IPv4 address is judged as that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return inner
        if address.scope_id:
            return ipaddress.IPv6Address(address.compressed.split("%", 1)[0])
    return address


def is_loopback(address: IPAddress) -> bool:
    return _plain(address).is_loopback


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet that is not special in any way."""
    plain = _plain(address)
    if any(plain.version == net.version and plain in net for net in DENIED_NETWORKS):
        return False
    return plain.is_global and not (plain.is_multicast or plain.is_reserved or plain.is_unspecified)


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched, and for how long and how much.

    ``allow_hosts``: host names (exact, case-insensitive) whose addresses are fetched from
    whatever they are, and IP networks (CIDR or single addresses) that are fetched from,
    e.g. an issuer inside the operator's own network. ``allow_loopback``: development only,
    where a verifier under test runs on this machine (plain http is then allowed to loopback).
    ``ssl_context``: the trust anchors (default: the system's, via certifi as httpx does);
    tests pass one trusting their own certificate.
    """

    allow_loopback: bool = False
    allow_hosts: tuple[str, ...] = ()
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    _names: frozenset[str] = field(init=False, repr=False, compare=False)
    _networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in self.allow_hosts:
            kind, value = parse_allow_entry(entry)
            if kind == "network":
                networks.append(value)  # type: ignore[arg-type]
            else:
                names.add(value)  # type: ignore[arg-type]
        object.__setattr__(self, "_names", frozenset(names))
        object.__setattr__(self, "_networks", tuple(networks))
        if self.timeout_s <= 0 or self.max_bytes <= 0:
            raise ValueError("the outbound fetch caps must be positive")

    @classmethod
    def for_environment(cls, environment: str, **kwargs: Any) -> "FetchPolicy":
        return cls(allow_loopback=environment == "development", **kwargs)

    def host_allowed(self, host: str) -> bool:
        return _normal_host(host) in self._names

    def address_allowed(self, address: IPAddress, *, host_allowed: bool, plain_http: bool) -> bool:
        if plain_http:
            # plain http leaves nothing but this machine, and only while developing
            return self.allow_loopback and is_loopback(address)
        if host_allowed or any(_plain(address) in net for net in self._networks if net.version == _plain(address).version):
            return True
        if self.allow_loopback and is_loopback(address):
            return True
        return is_public(address)


def parse_allow_entry(entry: str) -> tuple[str, IPNetwork | str]:
    """("network", the network) for a CIDR or address, ("host", the name) for a host name."""
    text = entry.strip().lower()
    try:
        return "network", ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        pass
    if not _HOST_NAME.match(text):
        raise ValueError(f"outbound allow-list entry {entry!r} is neither a host name nor an IP network")
    return "host", _normal_host(text)


def _normal_host(host: str) -> str:
    return host.lower().rstrip(".")


@dataclass(frozen=True)
class FetchTarget:
    """A URL taken apart once, by one parser; the request is built from these parts only."""

    scheme: str
    host: str
    port: int
    #: path and query, as sent on the request line
    target: str

    @property
    def default_port(self) -> bool:
        return _DEFAULT_PORTS[self.scheme] == self.port

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.default_port else f"{host}:{self.port}"

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host without a trailing dot, port): how two URLs are compared for origin."""
        return self.scheme, _normal_host(self.host), self.port


def parse_target(uri: Any) -> FetchTarget:
    """The parts of an http(s) URL, or FetchRefused. No user information, no fragments sent,
    printable ASCII only (so no parser downstream can read another host out of it)."""
    if not isinstance(uri, str) or not uri or len(uri) > MAX_URL_CHARS or not _URL_CHARS.match(uri):
        raise FetchRefused("not a URL this service fetches")
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise FetchRefused("not a URL this service fetches") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchRefused("only https URLs are fetched")
    if "\\" in uri:
        raise FetchRefused("not a URL this service fetches")
    if "@" in parts.netloc:
        raise FetchRefused("URLs with user information are not fetched")
    host = (parts.hostname or "").lower()
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise FetchRefused("not a URL this service fetches") from None
    elif not _HOST_NAME.match(host):
        raise FetchRefused("not a URL this service fetches")
    if port == 0:
        raise FetchRefused("not a URL this service fetches")
    path = parts.path or "/"
    if not path.startswith("/"):
        raise FetchRefused("not a URL this service fetches")
    target = path + (f"?{parts.query}" if parts.query else "")
    return FetchTarget(scheme=scheme, host=host, port=port or _DEFAULT_PORTS[scheme], target=target)


@dataclass(frozen=True)
class FetchedResponse:
    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        """The body as JSON, or {} when it is not JSON (callers validate the shape anyway)."""
        try:
            return read_json(self.text) if self.text else {}
        except ValueError:  # not JSON, or nested too deeply (JSONDocumentRefused)
            return {}


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self, timeout: float | None, expired: type[Exception]) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise expired("the outbound fetch ran out of time")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        wrapped = self._inner.start_tls(ssl_context, server_hostname, self._deadline.remaining(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(wrapped, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


#: getaddrinfo has no timeout of its own: it runs here and is waited for until the deadline
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ecert-resolve")


class _CheckedAddressBackend(httpcore.NetworkBackend):
    """Resolves the host itself, checks every address, connects to a checked one.

    httpcore calls ``connect_tcp`` with the URL's host; the TLS handshake that follows still
    gets the host name (SNI and certificate check), so only the address choice moves here.
    """

    def __init__(self, policy: FetchPolicy, deadline: _Deadline, *, plain_http: bool) -> None:
        self._policy = policy
        self._deadline = deadline
        self._plain_http = plain_http
        self._inner = httpcore.SyncBackend()

    def _addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        wait = self._deadline.remaining(timeout, httpcore.ConnectTimeout)
        try:
            infos = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(timeout=wait)
        except FutureTimeout:
            raise httpcore.ConnectTimeout("name resolution ran out of time") from None
        except (OSError, UnicodeError):
            # a name that does not resolve is told apart from one that resolves somewhere
            # private by nobody: both are "not a host we fetch from"
            raise _refused(host, "does not resolve") from None
        found: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            text = str(sockaddr[0])
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise _refused(host, "resolved to an unparsable address") from None
            if address not in found:
                found.append(address)
        return found

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._addresses(host, port, timeout)
        host_allowed = self._policy.host_allowed(host)
        # one refused address refuses the host: a name that also points inside is not fetched
        if not addresses or not all(
            self._policy.address_allowed(a, host_allowed=host_allowed, plain_http=self._plain_http) for a in addresses
        ):
            raise _refused(host, "resolves to an address that is not fetched from")
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=self._deadline.remaining(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert last is not None
        raise last

    def sleep(self, seconds: float) -> None:  # pragma: no cover - retries are off
        time.sleep(seconds)


class _Refused(Exception):
    """Raised inside httpcore's call stack, turned into FetchRefused around it."""


def _refused(host: str, reason: str) -> _Refused:
    log.info("outbound fetch refused: host %s %s", host, reason)
    return _Refused(reason)


ADDRESS_REFUSED = "the URL's host is not one this service fetches from"
FAILED = "the URL could not be fetched"


def _default_ssl_context() -> ssl.SSLContext:
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()


class OutboundFetcher:
    """GET and form POST under a ``FetchPolicy``. Raises only ``FetchRefused``/``FetchFailed``."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._ssl_context = policy.ssl_context or _default_ssl_context()

    def get(self, uri: str, *, accept: str, max_bytes: int | None = None) -> FetchedResponse:
        """The 2xx answer at ``uri``; anything else is FetchFailed. ``max_bytes``: a cap of
        its own for a kind of document (default: the policy's)."""
        return self._fetch("GET", uri, headers={"Accept": accept}, body=None, pass_client_errors=False, max_bytes=max_bytes)

    def post_form(self, uri: str, form: Mapping[str, str], *, accept: str = "application/json") -> FetchedResponse:
        """The answer to a form POST: 2xx, or a 4xx (a recipient's own refusal, e.g. an
        OpenID4VP error response, is an answer); anything else is FetchFailed."""
        body = urlencode(dict(form)).encode("ascii")
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        return self._fetch("POST", uri, headers=headers, body=body, pass_client_errors=True, max_bytes=None)

    def _fetch(
        self,
        method: str,
        uri: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        pass_client_errors: bool,
        max_bytes: int | None,
    ) -> FetchedResponse:
        target = parse_target(uri)
        if target.scheme == "http" and not self.policy.allow_loopback:
            raise FetchRefused("only https URLs are fetched")
        deadline = _Deadline(self.policy.timeout_s)
        backend = _CheckedAddressBackend(self.policy, deadline, plain_http=target.scheme == "http")
        try:
            return self._exchange(
                method, target, headers, body, backend, deadline, pass_client_errors, max_bytes or self.policy.max_bytes
            )
        except _Refused:
            raise FetchRefused(ADDRESS_REFUSED) from None
        except OutboundFetchError:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport failure is the same answer
            log.info("outbound fetch to host %s failed: %s", target.host, type(exc).__name__)
            raise FetchFailed(FAILED) from None

    def _exchange(
        self,
        method: str,
        target: FetchTarget,
        headers: Mapping[str, str],
        body: bytes | None,
        backend: _CheckedAddressBackend,
        deadline: _Deadline,
        pass_client_errors: bool,
        max_bytes: int,
    ) -> FetchedResponse:
        cap = self.policy.timeout_s
        request_headers = [
            (b"Host", target.host_header.encode("ascii")),
            (b"User-Agent", USER_AGENT.encode("ascii")),
            (b"Accept-Encoding", b"identity"),
            (b"Connection", b"close"),
            *((k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()),
        ]
        if body is not None:
            request_headers.append((b"Content-Length", str(len(body)).encode("ascii")))
        url = httpcore.URL(
            scheme=target.scheme.encode("ascii"),
            host=target.host.encode("ascii"),
            port=target.port,
            target=target.target.encode("ascii"),
        )
        extensions = {"timeout": {"connect": cap, "read": cap, "write": cap, "pool": cap}}
        with httpcore.ConnectionPool(
            ssl_context=self._ssl_context, network_backend=backend, max_connections=1, retries=0, http1=True, http2=False
        ) as pool:
            with pool.stream(method, url, headers=request_headers, content=body, extensions=extensions) as response:
                status = response.status
                acceptable = 200 <= status < 300 or (pass_client_errors and 400 <= status < 500)
                if not acceptable:
                    log.info("outbound fetch to host %s answered HTTP %d", target.host, status)
                    raise FetchFailed(FAILED)
                content_type, length = "", None
                for name, value in response.headers:
                    lowered = name.lower()
                    if lowered == b"content-type":
                        content_type = value.decode("latin-1")
                    elif lowered == b"content-length":
                        length = value
                if length is not None and (not length.isdigit() or int(length) > max_bytes):
                    log.info("outbound fetch to host %s: declared body too large", target.host)
                    raise FetchFailed(FAILED)
                received = bytearray()
                for chunk in response.iter_stream():
                    received += chunk
                    if len(received) > max_bytes:
                        log.info("outbound fetch to host %s: body over the size cap", target.host)
                        raise FetchFailed(FAILED)
                    deadline.remaining(None, httpcore.ReadTimeout)
        return FetchedResponse(status=status, content_type=content_type, text=received.decode("utf-8", errors="replace"))


def same_origin_target(uri: Any, origin: str) -> str | None:
    """``uri``'s path and query when it is on ``origin`` (scheme, host, port, and under the
    origin's path), else None. Compared after one parse, so ``https://own@evil``,
    ``https://own.evil``, another port or a look-alike are not ours; case and a trailing dot
    on the host are (they name the same host)."""
    try:
        own = parse_target(origin)
        candidate = parse_target(uri)
    except FetchRefused:
        return None
    if candidate.origin != own.origin:
        return None
    base = own.target.split("?", 1)[0].rstrip("/")
    path = candidate.target.split("?", 1)[0]
    if base and path != base and not path.startswith(base + "/"):
        return None
    return candidate.target
