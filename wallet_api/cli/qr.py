"""``ecert scan IMAGE``: decode a QR photo and print the desk's verdict; ``ecert trust export``.

Offline from the issuer keys in the local database (and cached status lists); with the
database reachable - here it is the same database - the online checks run as well: device
state, superseded declarations. Scanning from the command line does not consume the QR's
single use (the CLI is a second look, not the gate), so it always runs the checks offline
for single use.

``--offline --trust FILE`` verifies with nothing but a trust file (docs/qr-format.md §13)
written by ``ecert trust export --out FILE``: no database, no server, no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wallet_api.settings import Settings


def scan(
    image: Annotated[Path, typer.Argument(help="a PNG/JPEG photo or snapshot of the QR", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    profile: Annotated[str | None, typer.Option(help="adult_check, licence_check, identity_check, customs_gate")] = None,
    offline: Annotated[bool, typer.Option(help="issuer keys and cached status lists only")] = False,
    trust: Annotated[Path | None, typer.Option(help="with --offline: verify with only this trust file (no database)",
                                               exists=True, dir_okay=False)] = None,
) -> None:
    """Decode a QR image and print whether it verifies, and why."""
    from schemas.errors import WalletError

    if trust is not None:
        if not offline:
            typer.echo("error: --trust is for --offline scans", err=True)
            raise typer.Exit(2)
        try:
            answer = _scan_with_trust_file(image, trust, profile)
        except WalletError as exc:
            typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
            raise typer.Exit(2) from None
        _report(answer, as_json)
        return

    from wallet_api.cli.location import cli_state
    from wallet_api.qr.desk import verify_scanned
    from wallet_api.qr.images import qr_text_from_image
    from wallet_api.qr.services import customs_services, qr_services

    state = cli_state()
    settings = state.settings
    try:
        text = qr_text_from_image(image.read_bytes(), max_bytes=settings.qr_image_max_bytes,
                                  max_pixels=settings.qr_image_max_pixels)
        from sqlmodel import Session

        with Session(state.engine, expire_on_commit=False) as session:
            answer = verify_scanned(
                None if offline else session,
                text=text, requested_profile=profile, profiles=state.qr_profiles, services=qr_services(state, session),
                customs=customs_services(state, session, signing=False), party=None, now=state.clock.epoch(),
                consume=False,
            )
    except WalletError as exc:
        typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        state.engine.dispose()
    _report(answer, as_json)


def _scan_with_trust_file(image: Path, trust: Path, profile: str | None) -> dict:  # type: ignore[type-arg]
    """The offline desk with nothing but the trust file: no state, no engine, no network."""
    import secrets
    import time
    from decimal import Decimal

    from issuers.customs.declarations import CustomsServices
    from issuers.customs.rates import DEFAULT_RATES_FILE, cached_rate_table
    from issuers.customs.rules import DEFAULT_RULES_FILE, cached_rule_book
    from keys.sealing import Sealer
    from verifiers.qr.profiles import qr_profiles
    from verifiers.qr.trust_file import load_trust_file, offline_services
    from wallet_api.qr.desk import verify_scanned
    from wallet_api.qr.images import qr_text_from_image

    # the trust file is all this desk has: no data directory is looked for
    settings = Settings.from_environment()
    now = int(time.time())
    services = offline_services(load_trust_file(trust.read_text(encoding="utf-8")), now=now)
    customs = CustomsServices(
        # the desk only assesses: nothing is sealed or opened, so no storage key is needed
        signer=None, sealer=Sealer(secrets.token_bytes(32)),
        rule_book=cached_rule_book(settings.customs_rules_file or DEFAULT_RULES_FILE),
        rates=cached_rate_table(settings.customs_rates_file or DEFAULT_RATES_FILE),
        duty_rate=Decimal(str(settings.customs_duty_rate)), max_days_ahead=settings.customs_max_days_ahead,
    )
    text = qr_text_from_image(image.read_bytes(), max_bytes=settings.qr_image_max_bytes,
                              max_pixels=settings.qr_image_max_pixels)
    profiles = qr_profiles(mobile_id_ttl_s=settings.qr_mobile_id_ttl_s, customs_ttl_s=settings.qr_customs_ttl_s)
    return verify_scanned(None, text=text, requested_profile=profile, profiles=profiles, services=services,
                          customs=customs, party=None, now=now, consume=False)


def export_trust(
    out: Annotated[Path, typer.Option("--out", help="where to write the trust file (JSON)", dir_okay=False)],
) -> None:
    """Write what an offline scanner needs: issuer keys, status lists, the QR data versions."""
    from sqlmodel import Session

    from wallet_api.cli.location import cli_state
    from wallet_api.qr.trust_export import trust_document

    state = cli_state()
    try:
        with Session(state.engine) as session:
            document = trust_document(state, session)
    finally:
        state.engine.dispose()
    out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {out}: {len(document['issuers'])} issuers, {len(document['status_lists'])} status lists")


def _report(answer: dict, as_json: bool) -> None:  # type: ignore[type-arg]
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
    else:
        _print(answer)
    raise typer.Exit(0 if answer["valid"] else 1)


def _print(answer: dict) -> None:  # type: ignore[type-arg]
    verdict = "VALID" if answer["valid"] else f"REFUSED ({answer['code']})"
    typer.echo(f"{verdict}  profile={answer['profile']}  type={answer['type_id']}  offline={answer['offline']}")
    if answer.get("detail"):
        typer.echo(f"  {answer['detail']}")
    for check in answer["checks"]:
        result = "skipped" if check["skipped"] else "passed" if check["passed"] else "failed"
        typer.echo(f"  - {check['id']}: {result}" + (f" ({check['code']})" if check["code"] else ""))
    for name, value in (answer.get("claims") or {}).items():
        typer.echo(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    customs = answer.get("customs")
    if customs:
        typer.echo(f"  over allowance: {[e['category'] for e in customs['over_allowance']]}")
        typer.echo(f"  estimated duty: {customs['estimated_duty']['payable_krw']} KRW  risk: {customs['risk_flags']}")
