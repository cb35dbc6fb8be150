from typing import Any

from fastapi import APIRouter

from wallet_api.deps import RegistryDep

router = APIRouter(prefix="/v1/types", tags=["certificate types"])


@router.get("")
def list_types(registry: RegistryDep) -> dict[str, Any]:
    return {"types": [t.public() for t in registry.all()]}


@router.get("/{type_id}")
def get_type(type_id: str, registry: RegistryDep) -> dict[str, Any]:
    type_def = registry.get(type_id)
    return {**type_def.public(), "claims_schema": type_def.claims_json_schema()}
