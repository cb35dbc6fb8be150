"""The one rule "a party sees only the claims it is registered for" (verifiers.relying_parties.Registration),
and the one ``checks[]`` shape of SD-JWT and QR verifications."""

from __future__ import annotations

import pytest

from schemas.errors import Forbidden, WalletError
from verifiers.check_runner import SKIPPED, CheckStep, run_checks
from verifiers.models import RelyingParty
from verifiers.relying_parties import registration


def _party(allowed: dict[str, list[str]]) -> RelyingParty:
    return RelyingParty(client_id="x", name="Bank", allowed=allowed, api_key_sha256="0" * 64)  # type: ignore[call-arg]


def test_a_registration_shows_asks_and_refuses_by_the_same_names() -> None:
    reg = registration(_party({"t": ["name", "address.city", "history.employer"]}), "t")
    claims = {
        "name": "Kim", "rrn": "900101-1234567", "address": {"city": "Seoul", "street": "Sejong-daero 1"},
        "history": [{"employer": "A", "salary": 1}, {"employer": "B", "salary": 2}],
    }
    assert reg.visible(claims) == {"name": "Kim", "address": {"city": "Seoul"}, "history": [{"employer": "A"}, {"employer": "B"}]}
    assert reg.allows(("address", "city")) and reg.allows(("history", None, "employer"))
    assert not reg.allows(("rrn",)) and not reg.allows(("address", "street"))
    reg.authorise([("name",), ("address", "city")])
    with pytest.raises(Forbidden) as refused:
        reg.authorise([("name",), ("rrn",)])
    assert refused.value.extra["claims"] == [["rrn"]]


def test_a_party_not_registered_for_a_type_is_refused_or_sees_nothing() -> None:
    party = _party({"t": ["name"]})
    with pytest.raises(Forbidden):
        registration(party, "other")
    assert registration(party, "other", required=False).visible({"name": "Kim"}) == {}


def test_one_runner_one_outcome_shape() -> None:
    def passes(ctx: object, options: object) -> None:
        return None

    def skips(ctx: object, options: object) -> str:
        return SKIPPED

    def refuses(ctx: object, options: object) -> None:
        raise Forbidden("no")

    checks = {"a": passes, "b": skips, "c": refuses, "d": passes}
    run = run_checks([CheckStep("a"), CheckStep("b"), CheckStep("c"), CheckStep("d")], checks, object())
    assert [c.public() for c in run.outcomes] == [
        {"id": "a", "passed": True, "code": None, "skipped": False},
        {"id": "b", "passed": True, "code": None, "skipped": True},
        {"id": "c", "passed": False, "code": "forbidden", "skipped": False},
    ]
    assert isinstance(run.failure, WalletError) and run.failure.code == "forbidden"
