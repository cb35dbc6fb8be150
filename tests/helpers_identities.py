"""Identities for tests that talk to a live server over real HTTP."""

from __future__ import annotations

import time

import httpx

from keys.jws import Signer, generate_private_key

SIGN_IN_TYP = "ecert-sign-in+jwt"


def signed_in_holder_token(base_url: str, person_id: str = "P0001") -> str:
    """Enrol a synthetic person (development identity provider), register a device key and
    sign in with it: the holder's access token."""
    device = Signer.from_private_key(generate_private_key("ES256"))
    with httpx.Client(base_url=base_url, timeout=30) as http:
        assertion = http.post("/v1/dev/identity-assertions", json={"person_id": person_id}).raise_for_status().json()
        enrolled = http.post("/v1/holders", json={"identity_assertion": assertion["identity_assertion"]}).raise_for_status().json()
        enrolment = {"Authorization": f"Bearer {enrolled['enrolment_token']}"}
        registration = http.post("/v1/holders/me/devices/challenge", headers=enrolment).raise_for_status().json()
        proof = device.sign_compact(
            {"typ": registration["typ"]},
            {"challenge": registration["challenge"], "aud": registration["aud"], "iat": int(time.time())},
            include_kid=False,
        )
        body = {"jwk": device.public_jwk, "name": "fuzz", "proof": proof}
        registered = http.post("/v1/holders/me/devices", json=body, headers=enrolment)
        device_id = registered.raise_for_status().json()["id"]
        challenge = http.post("/v1/auth/challenge").raise_for_status().json()
        proof = device.sign_compact(
            {"typ": SIGN_IN_TYP, "kid": device_id},
            {"challenge": challenge["challenge"], "aud": challenge["aud"], "iat": int(time.time())},
        )
        token = http.post("/v1/auth/token", json={"proof": proof, "device_id": device_id}).raise_for_status().json()
        return str(token["access_token"])
