"""The QR decoder on hostile input: each guard fires with its own code, and nothing but a
``schemas.errors`` subclass ever escapes (fuzzed with random bytes, random base45 and
mutations of a valid payload)."""

from __future__ import annotations

import random

import base45
import cbor2
import pytest

from schemas.errors import WalletError
from schemas.qr_errors import (
    QrCborTagUnexpected,
    QrCborTooDeep,
    QrCborTooLong,
    QrCompressionInvalid,
    QrEncodingInvalid,
    QrJtiInvalid,
    QrMalformed,
    QrTextTooLong,
    QrTooLarge,
)
from schemas.qr_payload.envelope import encode_text
from tests.qr_payloads import (
    MOBILE_ID_PROFILES,
    NOW,
    deflate_with_dictionary,
    fixed_signer,
    make_qr,
    qr_around_issuer_payload,
    verify,
)

ISSUER, DEVICE = fixed_signer("ES256", "issuer"), fixed_signer("EdDSA", "device")
VALID = make_qr(type_id="mobile_driver_licence", family="KM", claims=MOBILE_ID_PROFILES["licence_check"],
                issuer=ISSUER, device=DEVICE)


def _qr(cbor_bytes: bytes) -> str:
    return "KM1:" + base45.b45encode(cbor_bytes).decode()


def _in_claims(cbor_bytes: bytes) -> str:
    """``cbor_bytes`` as the issuer part's (compressed) credential payload."""
    return qr_around_issuer_payload(deflate_with_dictionary(cbor_bytes))


def _code(text: str) -> str:
    with pytest.raises(WalletError) as err:
        verify(text, ISSUER)
    return err.value.code


def test_zlib_bomb_is_refused_before_inflating() -> None:
    # 300 KB of zeros deflates to ~300 B: fits under the text limit, inflates 37x past the bound
    bomb = _in_claims(b"\x00" * 300_000)
    assert len(bomb) < 1500
    with pytest.raises(QrTooLarge) as err:
        verify(bomb, ISSUER)  # default bound: 8 KiB
    assert err.value.code == "qr_too_large"


def test_too_long_text() -> None:
    with pytest.raises(QrTextTooLong):
        verify("KM1:" + "0" * 5000, ISSUER)


def test_non_base45() -> None:
    assert _code("KM1:abc") == "qr_encoding_invalid"
    assert _code("KM1:GGW") == "qr_encoding_invalid"  # in the alphabet, but > 0xFFFF
    with pytest.raises(QrEncodingInvalid):
        verify("KM1:", ISSUER)


def test_notdeflate_with_dictionary() -> None:
    with pytest.raises(QrCompressionInvalid):
        verify(qr_around_issuer_payload(b"\xff\xff\xff\xff"), ISSUER)
    truncated = deflate_with_dictionary(cbor2.dumps([1, 2, 3] * 50))[:-3]
    assert _code(qr_around_issuer_payload(truncated)) == "qr_compression_invalid"


def test_too_deep_cbor() -> None:
    deep = b"\x81" * 100 + b"\x00"
    for text in (_qr(deep), _in_claims(deep)):
        with pytest.raises(QrCborTooDeep) as err:
            verify(text, ISSUER)
        assert err.value.code == "qr_cbor_too_deep"


def test_too_many_cbor_items() -> None:
    for text in (_qr(cbor2.dumps([0] * 600)), _in_claims(cbor2.dumps([0] * 2000))):
        with pytest.raises(QrCborTooLong):
            verify(text, ISSUER)


def test_indefinite_lengths() -> None:
    assert _code(_qr(b"\x9f\x01\x02\xff")) == "qr_cbor_indefinite"
    assert _code(_qr(b"\x5f\x41\x00\xff")) == "qr_cbor_indefinite"


def test_unexpected_tags() -> None:
    with pytest.raises(QrCborTagUnexpected):
        verify(_qr(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""]))), ISSUER)


def test_declared_length_beyond_payload_is_not_allocated() -> None:
    assert _code(_qr(b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff")) == "malformed"
    assert _code(_qr(b"\x9b\x00\x00\x00\xff\xff\xff\xff\xff")) == "malformed"


def test_wrong_cose_structure() -> None:
    for value in ([], [b"", {}, b"", b""], {"a": 1}, [b"\xa1\x01\x26", {4: b"x"}, b"", b"\x00" * 64]):
        with pytest.raises(QrMalformed):
            verify(_qr(cbor2.dumps(value)), ISSUER)


def test_jti_with_wrong_length() -> None:
    from schemas.qr_payload.decode import decode_qr_text

    good = decode_qr_text(VALID)
    payload = {4: NOW + 30, 6: NOW, 7: b"abc", -65537: good.issuer_part}
    sign1 = [bytes.fromhex("a10127"), {}, cbor2.dumps(payload, canonical=True), b"\x00" * 64]
    with pytest.raises(QrJtiInvalid) as err:
        verify(encode_text("KM", cbor2.dumps(sign1)), ISSUER)
    assert err.value.code == "qr_jti_invalid"


def _only_wallet_errors(text: str) -> None:
    try:
        verify(text, ISSUER, now=NOW)
    except WalletError:
        pass


def test_fuzz_random_bytes_and_base45() -> None:
    rng = random.Random(6)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for _ in range(1500):
        blob = rng.randbytes(rng.randrange(0, 300))
        _only_wallet_errors("KM1:" + base45.b45encode(blob).decode())
        _only_wallet_errors("KD1:" + base45.b45encode(deflate_with_dictionary(blob)).decode())
        _only_wallet_errors("KM1:" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200))))
        _only_wallet_errors(blob.decode("latin-1"))


def test_fuzz_mutated_valid_payloads() -> None:
    rng = random.Random(7)
    import base45 as b45

    raw = b45.b45decode(VALID[4:])
    accepted = 0
    for _ in range(1500):
        mutated = bytearray(raw)
        for _ in range(rng.randrange(1, 4)):
            position = rng.randrange(len(mutated))
            mutated[position] ^= rng.randrange(1, 256)  # never a no-op
        try:
            verify(encode_text("KM", bytes(mutated)), ISSUER)
            accepted += 1
        except WalletError:
            pass
    # a mutation can only pass if it hit nothing signed (there is nothing unsigned left)
    assert accepted == 0


def test_non_string_input() -> None:
    for value in (None, b"KM1:", 42, ["KM1:"]):
        with pytest.raises(QrMalformed):
            verify(value, ISSUER)  # type: ignore[arg-type]
