"""Reading one entry of a published status list over HTTP, its token verified with the issuer's JWKS."""

from __future__ import annotations

from fastapi.testclient import TestClient

from keys.jws import VerificationKey, verify_compact
from schemas.status_list import decode_status_list



def _status_in_list(client: TestClient, status_uri: str, idx: int) -> int:
    path = status_uri.removeprefix("https://ecert.test")
    response = client.get(path)
    assert response.headers["content-type"] == "application/statuslist+jwt"
    jwks = client.get("/.well-known/jwt-vc-issuer").json()["jwks"]["keys"]
    verified = verify_compact(response.text, lambda h: VerificationKey.from_jwk(next(k for k in jwks if k["kid"] == h["kid"])),
                              expected_typ="statuslist+jwt")
    assert verified.payload["sub"] == status_uri and verified.payload["ttl"] > 0
    return decode_status_list(verified.payload["status_list"]).status_at(idx)
