"""Library figures: SD-JWT VC verify and issue, each beside the IETF reference implementation
(PyPI ``sd-jwt``) and raw ``cryptography`` ES256 operations timed in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from benchmarks.report import Row
from benchmarks.samples import AUD, CLAIMS, NONCE, PLAN, Sample, make_sample
from benchmarks.timing import interleaved_rates
from issuers.sd_jwt_issuer import issue_sd_jwt
from keys.jws import parse_compact
from verifiers.sd_jwt_verifier import verify_sd_jwt

_ECDSA = ec.ECDSA(hashes.SHA256())


def _der(signature: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    return encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))


def _raw_two_verifies(sample: Sample) -> Callable[[], None]:
    """The floor: the two ECDSA verifies any verifier must do (issuer JWT, KB-JWT), and nothing else."""
    issuer_jwt, kb_jwt = sample.presentation.split("~")[0], sample.presentation.rsplit("~", 1)[1]
    issuer, kb = parse_compact(issuer_jwt), parse_compact(kb_jwt)
    issuer_public = sample.issuer_private.public_key()
    holder_public = sample.holder_private.public_key()
    jobs = [(issuer_public, _der(issuer.signature), issuer.signing_input), (holder_public, _der(kb.signature), kb.signing_input)]

    def run() -> None:
        for public, der, signing_input in jobs:
            public.verify(der, signing_input, _ECDSA)

    return run


def _ours_verify(sample: Sample) -> Callable[[], None]:
    def run() -> None:
        verify_sd_jwt(
            sample.presentation,
            issuer_key=sample.issuer_key,
            require_key_binding=True,
            expected_nonce=NONCE,
            expected_aud=AUD,
            now=int(time.time()),
        )

    return run


def _reference_verify(sample: Sample) -> Callable[[], None]:
    from jwcrypto.jwk import JWK
    from sd_jwt.verifier import SDJWTVerifier

    issuer_jwk = JWK.from_pyca(sample.issuer_private.public_key())  # built once: the reference gets a cache too

    def run() -> None:
        SDJWTVerifier(sample.presentation, lambda iss, header: issuer_jwk, expected_aud=AUD, expected_nonce=NONCE).get_verified_payload()

    return run


def _ours_issue(sample: Sample) -> Callable[[], None]:
    def run() -> None:
        issue_sd_jwt(signer=sample.signer, claims=CLAIMS, disclosable=PLAN, registered=sample.registered)

    return run


def _reference_issue(sample: Sample) -> Callable[[], None]:
    from jwcrypto.jwk import JWK
    from sd_jwt.common import SDObj
    from sd_jwt.issuer import SDJWTIssuer

    issuer_jwk = JWK.from_pyca(sample.issuer_private)
    holder_jwk = JWK.from_pyca(sample.holder_private.public_key())
    registered = {k: v for k, v in sample.registered.items() if k != "cnf"}  # the reference adds cnf itself
    user_claims: dict[Any, Any] = {**registered, **{SDObj(k): v for k, v in CLAIMS.items()}}

    def run() -> None:
        SDJWTIssuer(user_claims, issuer_jwk, holder_jwk, sign_alg="ES256").sd_jwt_issuance

    return run


def _raw_sign(sample: Sample) -> Callable[[], None]:
    jwt = sample.credential.split("~")[0]
    signing_input = jwt.rsplit(".", 1)[0].encode()
    key = sample.issuer_private

    def run() -> None:
        key.sign(signing_input, _ECDSA)

    return run


def bench_sd_jwt_verify(*, quick: bool) -> list[Row]:
    sample = make_sample()
    _reference_verify(sample)()  # fails loudly here if the reference disagrees with our presentation
    rates = interleaved_rates(
        {"ours": _ours_verify(sample), "reference": _reference_verify(sample), "raw": _raw_two_verifies(sample)},
        seconds=0.3 if quick else 1.0,
        runs=3 if quick else 5,
    )
    ours, ref, raw = rates["ours"], rates["reference"], rates["raw"]
    return [
        Row("sd_jwt_verify", "SD-JWT VC verify + KB (15 claims, 3 disclosed)", "verifies/s", ours,
            refs={"IETF reference sd-jwt": ref, "2 raw ES256 verifies": raw},
            ratios={"× reference": ours.median / ref.median, "of 2-verify rate": ours.median / raw.median},
            targets={"× reference": 2.0, "of 2-verify rate": 0.6},
            extra={"presentation_bytes": len(sample.presentation)}),
    ]


def bench_sd_jwt_issue(*, quick: bool) -> list[Row]:
    sample = make_sample()
    rates = interleaved_rates(
        {"ours": _ours_issue(sample), "reference": _reference_issue(sample), "raw": _raw_sign(sample)},
        seconds=0.3 if quick else 1.0,
        runs=3 if quick else 5,
    )
    ours, ref, raw = rates["ours"], rates["reference"], rates["raw"]
    return [
        Row("sd_jwt_issue", "SD-JWT VC issue (15 disclosures)", "issues/s", ours,
            refs={"IETF reference sd-jwt": ref, "1 raw ES256 sign": raw},
            ratios={"× reference": ours.median / ref.median, "of 1-sign rate": ours.median / raw.median},
            targets={"× reference": 2.0},
            extra={"credential_bytes": len(sample.credential)}),
    ]
