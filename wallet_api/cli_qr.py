"""``ecert scan IMAGE``: decode a QR photo and print the desk's verdict.

Offline from the issuer keys in the local database (and cached status lists); with the
database reachable - here it is the same database - the online checks run as well: device
state, superseded declarations. Scanning from the command line does not consume the QR's
single use (the CLI is a second look, not the gate), so it always runs the checks offline
for single use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from wallet_api.settings import Settings


def scan(
    image: Annotated[Path, typer.Argument(help="a PNG/JPEG photo or snapshot of the QR", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    profile: Annotated[str | None, typer.Option(help="adult_check, licence_check, identity_check, customs_gate")] = None,
    offline: Annotated[bool, typer.Option(help="issuer keys and cached status lists only")] = False,
) -> None:
    """Decode a QR image and print whether it verifies, and why."""
    from schemas.errors import WalletError
    from wallet_api.bootstrap import build_state
    from wallet_api.qr.desk import verify_scanned
    from wallet_api.qr.images import qr_text_from_image
    from wallet_api.qr.services import customs_context, profiles, qr_services

    state = build_state(Settings())
    settings = state.settings
    try:
        text = qr_text_from_image(image.read_bytes(), max_bytes=settings.qr_image_max_bytes,
                                  max_pixels=settings.qr_image_max_pixels)
        with Session(state.engine, expire_on_commit=False) as session:
            answer = verify_scanned(
                None if offline else session,
                text=text, requested_profile=profile, profiles=profiles(state), services=qr_services(state, session),
                customs=customs_context(state, session, signing=False), party=None, now=state.clock.epoch(),
                consume=False,
            )
    except WalletError as exc:
        typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        state.engine.dispose()
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
        typer.echo(f"  - {check['id']}: {check['result']}" + (f" ({check['code']})" if check["code"] else ""))
    for name, value in (answer.get("claims") or {}).items():
        typer.echo(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    customs = answer.get("customs")
    if customs:
        typer.echo(f"  over allowance: {[e['category'] for e in customs['over_allowance']]}")
        typer.echo(f"  estimated duty: {customs['estimated_duty']['payable_krw']} KRW  risk: {customs['risk_flags']}")
