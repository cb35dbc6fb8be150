"""QR verification refusals beyond ``schemas.errors`` (same tree, own stable codes)."""

from __future__ import annotations

from schemas.errors import VerificationError


class Superseded(VerificationError):
    """A customs declaration version replaced by an amendment: its QR no longer counts."""

    code, title = "superseded", "Superseded by an amended declaration"


class UnknownDeclaration(VerificationError):
    code, title = "unknown_declaration", "No such declaration on record"


class ProfileMismatch(VerificationError):
    code, title = "profile_mismatch", "QR does not carry what this profile checks"


class LifetimeTooLong(VerificationError):
    code, title = "lifetime_too_long", "QR valid for longer than this profile accepts"
