"""A client generated from ``/openapi.json`` drives one real flow: an agency operator offers
a certificate, a wallet takes it over OpenID4VCI, and a relying party verifies a
presentation of it.

The models come from ``datamodel-code-generator`` (the ``test`` extra), generated at test
time into ``tmp_path``; the operations (path, method, security scheme, answer model) are
read from the same document. Every answer is parsed into its generated model, which
forbids keys the document does not name: the document and the wire cannot drift apart.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from issuers.operators import add_operator
from keys.sd_jwt import attach_kb_jwt, kb_jwt_signing_input, select_disclosures
from tests.issuing_helpers import device_signer, person_with_record
from verifiers.relying_parties import register_relying_party

codegen = pytest.importorskip("datamodel_code_generator")

ABSTRACT = "resident_registration_abstract"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
REF = "#/components/schemas/"


def _generate(document: dict[str, Any], where: Path) -> ModuleType:
    target = where / "ecert_api_models.py"
    codegen.generate(
        json.dumps(document),
        input_file_type=codegen.InputFileType.OpenAPI,
        output=target,
        output_model_type=codegen.DataModelType.PydanticV2BaseModel,
        formatters=[codegen.Formatter.BUILTIN],
    )
    spec = importlib.util.spec_from_file_location("ecert_api_models", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves forward references through it
    spec.loader.exec_module(module)
    return module


class GeneratedClient:
    """Calls an operation as the document describes it and parses its answer into the model."""

    def __init__(self, http: TestClient, document: dict[str, Any], models: ModuleType) -> None:
        self.http, self.document, self.models = http, document, models
        self.credentials: dict[str, str] = {}

    def model(self, name: str) -> type[BaseModel]:
        return getattr(self.models, name)  # type: ignore[no-any-return]

    def call(self, method: str, path: str, *, body: BaseModel | dict[str, Any] | None = None, form: dict[str, str] | None = None,
             **path_params: str) -> BaseModel:
        operation = self.document["paths"][path][method.lower()]
        headers = {}
        for requirement in operation.get("security", []):
            for scheme in requirement:
                headers["Authorization"] = f"Bearer {self.credentials[scheme]}"
        content = body.model_dump(mode="json", by_alias=True, exclude_unset=True) if isinstance(body, BaseModel) else body
        response = self.http.request(method, path.format(**path_params), json=content, data=form, headers=headers)
        answers = operation["responses"].get(str(response.status_code))
        assert answers is not None and str(response.status_code).startswith("2"), response.text
        schema = answers["content"]["application/json"]["schema"]
        return self.model(schema["$ref"].removeprefix(REF)).model_validate(response.json())


def _presentation(holder: Any, credential: str, claims: list[str], *, nonce: str, aud: str, iat: int) -> str:
    without_kb = select_disclosures(credential, [(c,) for c in claims])
    header, payload = kb_jwt_signing_input(presentation=without_kb, nonce=nonce, aud=aud, iat=iat)
    return attach_kb_jwt(without_kb, holder.sign_compact(header, payload, include_kid=False))


def test_generated_client_offers_issues_and_verifies(client: TestClient, tmp_path: Path) -> None:
    document = client.get("/openapi.json").json()
    api = GeneratedClient(client, document, _generate(document, tmp_path))
    state = client.app.state.ecert  # type: ignore[attr-defined]
    agency = state.registry.get(ABSTRACT).agency.id
    with Session(state.engine) as session:
        api.credentials["OperatorApiKey"] = add_operator(session, name="desk", agency_id=agency, now=state.clock.now()).api_key
        registered = register_relying_party(
            session, name="한빛은행", allowed={ABSTRACT: ["name", "current_address"]}, purpose="account opening",
            registry=state.registry, sealer=state.sealer, now=state.clock.now(),
        )
    api.credentials["RelyingPartyApiKey"] = registered.api_key
    client_id = registered.relying_party.client_id

    # the operator offers the certificate (request and answer are generated models)
    person = person_with_record(state, ABSTRACT)
    offer = api.call("POST", "/v1/admin/offers", body=api.model("OfferRequest")(type_ids=[ABSTRACT], person_id=person.person_id))
    assert isinstance(offer, api.model("OfferPublic")) and offer.tx_code is None

    # the wallet: token, nonce, credential (its proof signed by the device key)
    grant = offer.credential_offer["grants"][PRE_AUTH]
    token = api.call("POST", "/token", form={"grant_type": PRE_AUTH, "pre-authorized_code": grant["pre-authorized_code"]})
    api.credentials["OpenID4VCIAccessToken"] = token.access_token  # type: ignore[attr-defined]
    nonce = api.call("POST", "/nonce").c_nonce  # type: ignore[attr-defined]
    holder = device_signer()
    proof = holder.sign_compact(
        {"typ": "openid4vci-proof+jwt", "jwk": holder.public_jwk},
        {"aud": state.settings.issuer_id, "iat": state.clock.epoch(), "nonce": nonce},
        include_kid=False,
    )
    issued = api.call("POST", "/credential", body={"credential_configuration_id": ABSTRACT, "proofs": {"jwt": [proof]}})
    credential = issued.credentials[0].credential  # type: ignore[attr-defined]

    # the relying party verifies a presentation with key binding
    presentation = _presentation(holder, credential, ["name", "current_address"], nonce="rp-nonce", aud=client_id,
                                 iat=state.clock.epoch())
    verdict = api.call("POST", "/v1/verify", body=api.model("VerifyRequest")(presentation=presentation, nonce="rp-nonce"))
    assert isinstance(verdict, api.model("VerifyAnswer"))
    assert verdict.valid is True and verdict.code is None, verdict  # type: ignore[attr-defined]
    assert set(verdict.claims) == {"name", "current_address"}  # type: ignore[attr-defined]
    assert all(check.passed for check in verdict.checks)  # type: ignore[attr-defined]
