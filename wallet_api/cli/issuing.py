"""CLI commands for operators handing out certificates: ``ecert people`` and ``ecert offer``.

Registered on the ``ecert`` Typer app in ``wallet_api/cli/main.py``. They use the server's data
(``cli_location``), so an offer printed here is redeemable there.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from issuers.oid4vci.offers import create_offer, offerable_type_ids, subject_for_person
from qr_symbols.images import render_png
from schemas.errors import WalletError
from wallet_api.state import AppState

CLI_CREATOR = "cli"


def _state() -> AppState:
    from wallet_api.cli.location import cli_state

    return cli_state()


def people(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """List the synthetic people and the certificate types each has a record for."""
    state = _state()
    adapters = state.adapters
    rows: list[dict[str, Any]] = []
    for person in state.population.people():
        subject = subject_for_person(state.population, person.person_id)
        type_ids = offerable_type_ids(state.registry, adapters, subject)  # type: ignore[arg-type]
        rows.append({"id": person.person_id, "name": person.name, "type_ids": type_ids})
    state.engine.dispose()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['name']}  {' '.join(row['type_ids'])}")


def offer(
    type: Annotated[list[str], typer.Option("--type", help="certificate type id (repeat for several)")],
    person: Annotated[str, typer.Option("--person", help="person id from `ecert people`")],
    tx_code: Annotated[bool, typer.Option("--tx-code", help="require a 6-digit transaction code")] = False,
    qr: Annotated[Path | None, typer.Option("--qr", help="also write the offer as a QR code PNG")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Create an OpenID4VCI credential offer (pre-authorized code) for a person."""
    from wallet_api.admin.audit_log import record_offer
    from wallet_api.wiring.issuing import issuer_services

    state = _state()
    try:
        with Session(state.engine, expire_on_commit=False) as session:
            created = create_offer(
                session,
                context=issuer_services(state, session),
                type_ids=type,
                subject=subject_for_person(state.population, person),
                with_tx_code=tx_code,
                now=state.clock.now(),
                ttl=timedelta(seconds=state.settings.offer_ttl_s),
                created_by=CLI_CREATOR,
            )
            agencies = {state.registry.get(t).agency.id for t in type}  # the agency's operators see it in their audit
            record_offer(session, state, created, actor=CLI_CREATOR, agency_id=agencies.pop() if len(agencies) == 1 else None,
                         request_id=None, now=state.clock.now())
    except WalletError as exc:
        typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        state.engine.dispose()
    if qr is not None:
        qr.write_bytes(render_png(created.offer_uri))
    if as_json:
        typer.echo(json.dumps({"offer_uri": created.offer_uri, "tx_code": created.tx_code}, ensure_ascii=False))
        return
    typer.echo(created.offer_uri)
    if created.tx_code:
        typer.echo(f"tx_code: {created.tx_code}  (give it to the person separately)")
    typer.echo(f"expires: {created.expires_at.isoformat()}")
