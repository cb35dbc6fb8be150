"""Signing in to the verifier console over HTTP (the login CSRF token, then the session)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient





def login_token(client: TestClient) -> str:
    page = client.get("/console/sign-in")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)

def sign_in(client: TestClient, api_key: str, client_id: str | None = None) -> str:
    """Signs in; returns the page's CSRF token for the console API."""
    form = {"api_key": api_key, "csrf_token": login_token(client)}
    if client_id is not None:
        form["client_id"] = client_id
    r = client.post("/console/sign-in", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/console/bank"
    bank = client.get("/console/bank")
    assert bank.status_code == 200
    config = json.loads(re.search(r'id="console-config">(.*?)</script>', bank.text, re.S).group(1))  # type: ignore[union-attr]
    return config["csrf"]
