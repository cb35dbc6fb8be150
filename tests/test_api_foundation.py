"""Foundation endpoints through HTTP: types, health, issuer metadata, problem+json."""

from __future__ import annotations


from fastapi.testclient import TestClient

from schemas.registry import load_registry


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_types_list_and_one(client: TestClient) -> None:
    listed = client.get("/v1/types").json()["types"]
    ids = {t["id"] for t in listed}
    assert ids == {t.id for t in load_registry()} and "resident_registration_abstract" in ids
    for t in listed:
        assert t["name"]["ko"] and t["name"]["en"] and t["agency"]["id"] and t["validity_days"] > 0
        assert "adapter" not in t and "status_family" not in t
    one = client.get("/v1/types/local_tax_payment").json()
    assert one["validity_days"] == 30
    assert one["claims_schema"]["type"] == "object"
    assert one["claims_schema"]["properties"]


def test_unknown_type_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/types/no_such_type")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unknown_type"
    missing = client.get("/no/such/route")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_jwt_vc_issuer_metadata_has_only_public_keys(client: TestClient) -> None:
    body = client.get("/.well-known/jwt-vc-issuer").json()
    assert body["issuer"] == "https://ecert.test"
    keys = body["jwks"]["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "ES256" and keys[0]["kid"]
    assert all("d" not in key for key in keys)


def test_no_response_carries_a_private_key(client: TestClient) -> None:
    for path in ["/.well-known/jwt-vc-issuer", "/v1/types", "/openapi.json"]:
        text = client.get(path).text
        assert '"d":' not in text and "PRIVATE KEY" not in text


def test_oversized_body_is_413_problem(client: TestClient) -> None:
    response = client.post("/v1/admin/credentials/x/revoke", content=b"x" * (300 * 1024),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_vct_url_resolves_to_type_metadata(client: TestClient) -> None:
    meta = client.get("/vct/resident_registration_abstract").json()
    assert meta["vct"] == "https://ecert.test/vct/resident_registration_abstract"
    assert {d["locale"] for d in meta["display"]} == {"ko", "en"}
    paths = [c["path"] for c in meta["claims"]]
    assert ["name"] in paths
    assert client.get("/vct/nope").status_code == 404


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/v1/types", "/v1/types/{type_id}", "/healthz", "/.well-known/jwt-vc-issuer"]:
        assert path in paths


def test_broken_type_file_fails_startup(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from schemas.registry import TypeFileError
    from wallet_api.app import create_app

    types_dir = tmp_path / "types"
    types_dir.mkdir()
    (types_dir / "broken.toml").write_text('id = "broken"\nversion = "one"\n')
    bad = settings.model_copy(update={"types_dir": types_dir})
    with pytest.raises(TypeFileError) as caught:
        with TestClient(create_app(bad)):
            pass
    assert "broken.toml" in str(caught.value)


def test_unauthenticated_answers_name_the_bearer_scheme(client: TestClient) -> None:
    response = client.post("/v1/admin/credentials/x/revoke")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    oauth = client.post("/credential", json={}, headers={"Authorization": "Bearer nope"})
    assert oauth.status_code == 401 and oauth.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in oauth.headers["www-authenticate"]


def test_photo_uploads_have_their_own_size_bound(client: TestClient) -> None:
    photo = b"\xff\xd8" + b"x" * (1024 * 1024)
    response = client.post("/v1/qr/verify-image", files={"image": ("p.jpg", photo, "image/jpeg")})
    assert response.status_code == 401  # past the general body limit, but a phone photo is allowed here
    huge = client.post("/v1/qr/verify-image", content=b"x" * (13 * 1024 * 1024), headers={"content-type": "image/jpeg"})
    assert huge.status_code == 413
