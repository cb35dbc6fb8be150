"""Credential issuer metadata (OpenID4VCI §12.2) and authorization server metadata
(RFC 8414), built from the type registry: a new type file is a new configuration."""

from __future__ import annotations

from typing import Any

from issuers.oid4vci.offers import OID4VCI_DELIVERY, PRE_AUTHORIZED_GRANT
from issuers.oid4vci.proofs import PROOF_ALGS
from issuers.pipeline import SD_JWT_VC_TYP, vct_for
from issuers.type_metadata import claim_paths
from schemas.registry import CertificateType, Localized, TypeRegistry

TOKEN_PATH = "/token"
NONCE_PATH = "/nonce"
CREDENTIAL_PATH = "/credential"
ISSUER_DISPLAY = Localized(ko="대한민국 전자증명서", en="Korea e-Certificates")


def _display(names: Localized, descriptions: Localized | None = None) -> list[dict[str, str]]:
    entries = []
    for locale in ("ko", "en"):
        entry = {"name": getattr(names, locale), "locale": locale}
        if descriptions is not None:
            entry["description"] = getattr(descriptions, locale)
        entries.append(entry)
    return entries


def claims_description(type_def: CertificateType) -> list[dict[str, Any]]:
    return [
        {"path": path, "mandatory": claim.required, "display": _display(claim.label)}
        for path, claim in claim_paths(type_def)
    ]


def credential_configuration(type_def: CertificateType, *, issuer_id: str, signing_algs: list[str]) -> dict[str, Any]:
    return {
        "format": SD_JWT_VC_TYP,
        "vct": vct_for(issuer_id, type_def.id),
        "scope": type_def.id,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": signing_algs,
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}},
        "credential_metadata": {
            "display": _display(type_def.name, type_def.description),
            "claims": claims_description(type_def),
        },
    }


def credential_issuer_metadata(registry: TypeRegistry, *, issuer_id: str, signing_algs: list[str]) -> dict[str, Any]:
    return {
        "credential_issuer": issuer_id,
        "credential_endpoint": issuer_id + CREDENTIAL_PATH,
        "nonce_endpoint": issuer_id + NONCE_PATH,
        "display": _display(ISSUER_DISPLAY),
        "credential_configurations_supported": {
            type_def.id: credential_configuration(type_def, issuer_id=issuer_id, signing_algs=signing_algs)
            for type_def in registry
            if type_def.delivery == OID4VCI_DELIVERY
        },
    }


def authorization_server_metadata(issuer_id: str) -> dict[str, Any]:
    return {
        "issuer": issuer_id,
        "token_endpoint": issuer_id + TOKEN_PATH,
        # RFC 8414 requires the member; there is no authorization endpoint, hence no types
        "response_types_supported": [],
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
