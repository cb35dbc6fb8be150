from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlmodel import Session

from keys.errors import JWKInvalid, JWSAlgorithmRefused, JWSKeyUnknown, JWSMalformed, JWSSignatureInvalid
from keys.jwk import public_jwk, thumbprint
from keys.jws import Signer, VerificationKey, generate_private_key, verify_compact
from keys.b64 import b64url_encode
from keys.store import (
    ACTIVE_KEY_RECHECK_S, SignerCache, ensure_active_key, jwks, list_keys, rotate_key, verification_key,
)

PASS = b"test-passphrase"
T0 = datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)


def test_thumbprint_ignores_optional_members() -> None:
    with pytest.raises(JWKInvalid):
        thumbprint({"kty": "RSA", "n": "x", "e": "AQAB"})  # not a key type we accept
    ec_jwk = public_jwk(generate_private_key("ES256"))
    assert thumbprint(ec_jwk) == thumbprint({**ec_jwk, "kid": "ignored", "use": "sig"})


def test_eddsa_sign_verify() -> None:
    signer = Signer.from_private_key(generate_private_key("EdDSA"))
    token = signer.sign_compact({"typ": "x"}, {"a": 1})
    assert verify_compact(token, signer.verification_key()).payload == {"a": 1}
    assert signer.alg == "EdDSA"


def test_alg_comes_from_key_not_header() -> None:
    es = Signer.from_private_key(generate_private_key("ES256"))
    ed = Signer.from_private_key(generate_private_key("EdDSA"))
    token = ed.sign_compact({}, {"a": 1})
    with pytest.raises(JWSAlgorithmRefused):
        verify_compact(token, es.verification_key())


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", None])
def test_refused_algorithms(alg: str | None) -> None:
    signer = Signer.from_private_key(generate_private_key())
    header = b64url_encode(b'{"alg":%s}' % (f'"{alg}"'.encode() if alg else b"null"))
    token = f"{header}.{b64url_encode(b'{}')}."
    with pytest.raises(JWSAlgorithmRefused):
        verify_compact(token, signer.verification_key())


def test_hs256_with_public_key_bytes_refused() -> None:
    signer = Signer.from_private_key(generate_private_key())
    forged = jwt.encode({"a": 1}, key="x" * 32, algorithm="HS256")
    with pytest.raises(JWSAlgorithmRefused):
        verify_compact(forged, signer.verification_key())


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_header_keys_refused(member: str) -> None:
    attacker = Signer.from_private_key(generate_private_key())
    token = attacker.sign_compact({member: attacker.public_jwk if member == "jwk" else "https://evil.example/k"}, {"a": 1})
    with pytest.raises(JWSAlgorithmRefused):
        verify_compact(token, attacker.verification_key())


def test_tampered_payload_and_garbage() -> None:
    signer = Signer.from_private_key(generate_private_key())
    head, _, sig = signer.sign_compact({}, {"a": 1}).split(".")
    with pytest.raises(JWSSignatureInvalid):
        tampered = b64url_encode(b'{"a":2}')
        verify_compact(f"{head}.{tampered}.{sig}", signer.verification_key())
    for junk in ["", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.%%"]:
        with pytest.raises(JWSMalformed):
            verify_compact(junk, signer.verification_key())


def test_first_start_creates_one_active_key(session: Session) -> None:
    first = ensure_active_key(session, passphrase=PASS, alg="ES256", now=T0)
    again = ensure_active_key(session, passphrase=PASS, alg="ES256", now=T0)
    assert first.kid == again.kid
    assert first.kid == thumbprint(first.public_jwk)
    assert len(list_keys(session)) == 1


def test_rotation_keeps_old_tokens_verifiable(session: Session) -> None:
    ensure_active_key(session, passphrase=PASS, alg="ES256", now=T0)
    cache = SignerCache(PASS)
    old_signer = cache.active_signer(session)
    token = old_signer.sign_compact({}, {"sub": "x"})

    new = rotate_key(session, passphrase=PASS, alg="ES256", now=T0 + timedelta(days=1), max_validity=timedelta(days=90))
    assert new.kid != old_signer.kid
    assert cache.active_signer(session).kid == new.kid

    published = jwks(session, now=T0 + timedelta(days=2))
    kids = {k["kid"] for k in published["keys"]}
    assert kids == {old_signer.kid, new.kid}
    old_jwk = next(k for k in published["keys"] if k["kid"] == old_signer.kid)
    assert verify_compact(token, VerificationKey.from_jwk(old_jwk)).payload == {"sub": "x"}
    assert verification_key(session, old_signer.kid, now=T0 + timedelta(days=2)).kid == old_signer.kid

    # a worker that has not yet seen the rotation may sign with the old key for
    # ACTIVE_KEY_RECHECK_S more: the old key outlives the longest validity by that margin
    rotated = T0 + timedelta(days=1)
    last_signed_with_old = rotated + timedelta(seconds=ACTIVE_KEY_RECHECK_S)
    assert verification_key(session, old_signer.kid, now=last_signed_with_old + timedelta(days=90) - timedelta(seconds=1))

    # after every credential it signed has expired the old key is no longer published
    later = T0 + timedelta(days=92)
    assert {k["kid"] for k in jwks(session, now=later)["keys"]} == {new.kid}
    with pytest.raises(JWSKeyUnknown):
        verification_key(session, old_signer.kid, now=later)


def test_private_key_is_encrypted_at_rest(session: Session) -> None:
    from keys.models import IssuerKey

    ensure_active_key(session, passphrase=PASS, alg="EdDSA", now=T0)
    row = session.exec(__import__("sqlmodel").select(IssuerKey)).one()
    assert b"ENCRYPTED PRIVATE KEY" in row.encrypted_pkcs8
    assert "d" not in row.public_jwk
    with pytest.raises((TypeError, ValueError)):
        SignerCache(b"wrong passphrase").active_signer(session)
