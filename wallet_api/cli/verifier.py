"""``ecert rp …``: register and list relying parties (banks, offices, customs)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlmodel import Session


rp_app = typer.Typer(help="Relying parties (verifiers)", no_args_is_help=True)


@rp_app.command("add")
def rp_add(
    name: Annotated[str, typer.Option(help="the party's display name, shown to holders")],
    allow: Annotated[list[str], typer.Option(help="TYPE_ID:claim,claim (repeatable); nested claims dotted")],
    purpose: Annotated[str, typer.Option(help="why the party asks, shown to holders")] = "",
    profile: Annotated[str, typer.Option(help="verifier profile: bank, office, customs, upload")] = "bank",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Register a relying party; prints its client_id and API key (the key is shown only now)."""
    from schemas.errors import WalletError
    from verifiers.relying_parties import parse_allow, register_relying_party
    from wallet_api.cli.location import cli_state
    from wallet_api.cli.admin import CLI_ACTOR
    from wallet_api.admin.parties import record_party_added

    state = cli_state()
    try:
        with Session(state.engine, expire_on_commit=False) as session:
            registered = register_relying_party(
                session,
                name=name,
                allowed=parse_allow(allow),
                purpose=purpose,
                profile=profile,
                registry=state.registry,
                sealer=state.sealer,
                now=state.clock.now(),
            )
            record_party_added(session, state, client_id=registered.relying_party.client_id, actor=CLI_ACTOR, now=state.clock.now())
    except WalletError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        state.engine.dispose()
    party = registered.relying_party
    if as_json:
        typer.echo(json.dumps({"client_id": party.client_id, "api_key": registered.api_key}))
        return
    typer.echo(f"relying party {party.name}\nclient_id {party.client_id}\napi_key   {registered.api_key}  (shown once)")


@rp_app.command("list")
def rp_list(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Show registered relying parties and what each may ask for."""
    from verifiers.relying_parties import list_relying_parties
    from wallet_api.cli.location import cli_state

    state = cli_state()
    with Session(state.engine) as session:
        parties = [p.model_dump(mode="json") for p in list_relying_parties(session)]
    state.engine.dispose()
    if as_json:
        typer.echo(json.dumps(parties, ensure_ascii=False, indent=2))
        return
    for party in parties:
        allowed = "; ".join(f"{t}:{','.join(c)}" for t, c in party["allowed"].items())
        typer.echo(f"{party['client_id']}  {party['name']}  [{party['profile']}]  {allowed}")


@rp_app.command("purge-results")
def rp_purge_results() -> None:
    """Delete OpenID4VP results not collected within ECERT_PRESENTATION_RESULT_RETENTION_S
    (each new presentation request sweeps them too; run this where requests are rare)."""
    from verifiers.oid4vp.presentation_requests import purge_uncollected_results
    from wallet_api.cli.location import cli_state

    state = cli_state()
    with Session(state.engine) as session:
        purged = purge_uncollected_results(session, now=state.clock.epoch())
        session.commit()
    typer.echo(f"purged {purged} uncollected presentation results")
