"""QR verifier profiles: which checks, with which options, for which desk.

The mobile-ID profiles also name the claims the app must put in the QR: the wallet side
(through ``wallet_api``) asks the issuer for exactly ``claims`` of a profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from schemas.errors import NotFound
from verifiers.check_runner import CheckStep, unknown_checks
from verifiers.qr.checks import QR_CHECKS

MOBILE_ID_TYPES = ("mobile_driver_licence", "mobile_civil_servant_id")


@dataclass(frozen=True)
class QrProfile:
    name: str
    types: tuple[str, ...]
    #: the claims a QR of this profile carries; None: whatever the type's QR carries
    claims: tuple[str, ...] | None
    steps: tuple[CheckStep, ...]

    def __post_init__(self) -> None:
        unknown = unknown_checks(self.steps, QR_CHECKS)
        if unknown:
            raise ValueError(f"QR profile {self.name!r} names unknown checks {unknown}")


def _mobile_id(name: str, types: tuple[str, ...], claims: tuple[str, ...], ttl_s: int) -> QrProfile:
    return QrProfile(name, types, claims, (
        CheckStep("signature", MappingProxyType({"leeway_s": 5})),
        CheckStep("lifetime", MappingProxyType({"types": types, "max_ttl_s": ttl_s})),
        CheckStep("profile_claims", MappingProxyType({"claims": claims})),
        CheckStep("credential_status", MappingProxyType({"required": True})),
        CheckStep("device_state", MappingProxyType({})),
        CheckStep("single_use", MappingProxyType({"scope": "mobile_id", "per": "presentation"})),
    ))


def qr_profiles(*, mobile_id_ttl_s: int = 30, customs_ttl_s: int = 600) -> dict[str, QrProfile]:
    """The profiles, with the configured lifetimes (settings decide, the phone does not)."""
    customs_types = ("customs_declaration",)
    return {
        # a venue or shop: old enough, and is this the person on the photo (hash of the portrait)
        "adult_check": _mobile_id("adult_check", MOBILE_ID_TYPES, ("age_over_19", "portrait_sha256"), mobile_id_ttl_s),
        # police at the roadside: who, which classes, valid when
        "licence_check": _mobile_id(
            "licence_check", ("mobile_driver_licence",), ("name", "licence_classes", "issue_date", "expiry_date"),
            mobile_id_ttl_s,
        ),
        # identity at a counter: who, resident registration number, address
        "identity_check": _mobile_id(
            "identity_check", ("mobile_driver_licence",), ("name", "resident_registration_number", "address"),
            mobile_id_ttl_s,
        ),
        # the customs gate: a declaration passes once, and only its latest version
        "customs_gate": QrProfile("customs_gate", customs_types, None, (
            CheckStep("signature", MappingProxyType({"leeway_s": 30})),
            CheckStep("lifetime", MappingProxyType({"types": customs_types, "max_ttl_s": customs_ttl_s})),
            CheckStep("device_state", MappingProxyType({})),
            CheckStep("declaration_current", MappingProxyType({})),
            CheckStep("single_use", MappingProxyType({"scope": "customs_gate", "per": "issuer_part"})),
        )),
    }


#: which profile a QR is read with when the desk names none
DEFAULT_PROFILE_BY_FAMILY = {"KD": "customs_gate"}


def get_qr_profile(profiles: Mapping[str, QrProfile], name: str) -> QrProfile:
    try:
        return profiles[name]
    except KeyError:
        raise NotFound(f"no QR profile {name!r}; one of {sorted(profiles)}") from None


def profile_for_claims(profiles: Mapping[str, QrProfile], type_id: str, claims: set[str]) -> QrProfile | None:
    """The mobile-ID profile whose claims these are (a desk that did not name one)."""
    for profile in profiles.values():
        if type_id in profile.types and profile.claims is not None and set(profile.claims) == claims:
            return profile
    return None
