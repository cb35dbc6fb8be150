from typing import Any

from fastapi import APIRouter

from wallet_api.deps import RegistryDep
from wallet_api.api_models.base import typed
from wallet_api.api_models.issuing import CertificateTypeDetail, CertificateTypes

router = APIRouter(prefix="/v1/types", tags=["certificate types"])


@router.get("", **typed(CertificateTypes))
def list_types(registry: RegistryDep) -> dict[str, Any]:
    return {"types": [t.public() for t in registry.all()]}


@router.get("/{type_id}", **typed(CertificateTypeDetail, 404))
def get_type(type_id: str, registry: RegistryDep) -> dict[str, Any]:
    type_def = registry.get(type_id)
    return {**type_def.public(), "claims_schema": type_def.claims_json_schema()}
