"""A signer that counts its signatures (the size budget is checked before anything is signed)."""

from __future__ import annotations



from keys.jws import Signer



class CountingSigner:
    """A real signer that counts what it signs (no signature is faked)."""

    def __init__(self, signer: Signer) -> None:
        self.signer, self.signed = signer, 0

    @property
    def alg(self) -> str:
        return self.signer.alg

    @property
    def kid(self) -> str:
        return self.signer.kid

    def sign(self, signing_input: bytes) -> bytes:
        self.signed += 1
        return self.signer.sign(signing_input)
