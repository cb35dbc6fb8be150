"""The ``ecert`` command line. Uses the same ECERT_* settings as the server."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from wallet_api.cli import admin as cli_admin
from wallet_api.cli.issuing import offer, people
from wallet_api.cli.qr import export_trust, scan
from wallet_api.cli.verifier import rp_app
from keys.errors import KeyLayerError
from schemas.errors import WalletError
from schemas.registry import TypeFileError
from wallet_api.cli.location import DataDirOption, cli_state, refuse, serve_settings, write_server_record
from wallet_api.settings import SettingsError

app = typer.Typer(help="ecert-wallet: electronic certificates service", no_args_is_help=True)
keys_app = typer.Typer(help="Issuer signing keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
operator_app = typer.Typer(help="Agency operators (issuer admin API keys)", no_args_is_help=True)
app.add_typer(operator_app, name="operator")
app.add_typer(rp_app, name="rp")
wallet_app = typer.Typer(help="Holders' wallets: maintenance jobs", no_args_is_help=True)
app.add_typer(wallet_app, name="wallet")
cli_admin.register(app, rp_app=rp_app, operator_app=operator_app)
app.command("people")(people)
app.command("offer")(offer)
app.command("scan")(scan)
trust_app = typer.Typer(help="Offline scanners' trust file (docs/qr-format.md §13)", no_args_is_help=True)
app.add_typer(trust_app, name="trust")
trust_app.command("export")(export_trust)


@app.callback()
def options(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="the data directory to use (default: the one `ecert serve` recorded, else ./data)", file_okay=False),
    ] = None,
) -> None:
    """ecert-wallet: electronic certificates service."""
    DataDirOption.value = data_dir




KEY_ALGORITHMS = ("ES256", "EdDSA")

DEVELOPMENT_WARNING = """\
*** ecert serve: DEVELOPMENT mode (ECERT_ENVIRONMENT is not "production") ***
*** POST /v1/dev/identity-assertions mints enrolment assertions for ANYONE who asks, ***
*** secrets may be generated into the data directory, and plain http is accepted.    ***
*** This is a demo: never expose it. A deployment sets ECERT_ENVIRONMENT=production. ***"""


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    allow_network_demo: Annotated[
        bool, typer.Option("--allow-network-demo", help="development only: bind a non-loopback --host anyway (a demo on a network)")
    ] = False,
) -> None:
    """Run the API (SQLite in ./data unless ECERT_DATABASE_URL says otherwise)."""
    import os
    import shutil

    import uvicorn

    from wallet_api.http.server_protocols import protocol_class

    # without ECERT_PUBLIC_URL the service names itself by the address it listens on, so
    # `--port 8011` gives metadata, vct and status URIs that point at port 8011
    os.environ.setdefault("ECERT_PUBLIC_URL", f"http://{host}:{port}")
    settings = serve_settings()
    if settings.environment == "development":
        typer.echo(DEVELOPMENT_WARNING, err=True)
        if not is_loopback(host) and not allow_network_demo:
            typer.echo(
                f"ecert: refusing --host {host} in development (anyone on that network could mint identities);"
                " set ECERT_ENVIRONMENT=production, or pass --allow-network-demo for a demo",
                err=True,
            )
            raise typer.Exit(2)
    # migrate and create keys once before workers start, so they never race on it
    from wallet_api.wiring.bootstrap import build_state

    build_state(settings).engine.dispose()
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # every worker writes its metrics samples here; a scrape of any worker sums them
        metrics_dir = settings.data_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(mode=0o700, parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # other commands, from any directory, find this server's data and public URL
    recorded = write_server_record(settings)
    typer.echo(f"ecert serve: data in {settings.data_dir.resolve()}, recorded in {recorded}", err=True)
    uvicorn.run(
        "wallet_api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # slow and greedy clients (a reverse proxy in front does this too, with its own limits)
        http=protocol_class(),
        limit_concurrency=settings.max_concurrency,
        timeout_keep_alive=settings.keep_alive_timeout_s,
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Show the issuer keys: active, retired and until when they stay published."""
    from keys.store import list_keys

    state = cli_state()
    with Session(state.engine) as session:
        rows = list_keys(session)
    now = state.clock.now()
    out = []
    for row in rows:
        status = "active" if row.retired_at is None else ("published" if row.publish_until and row.publish_until > now else "expired")
        out.append(
            {
                "kid": row.kid,
                "alg": row.alg,
                "status": status,
                "created_at": row.created_at.isoformat(),
                "retired_at": row.retired_at.isoformat() if row.retired_at else None,
                "publish_until": row.publish_until.isoformat() if row.publish_until else None,
            }
        )
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    for item in out:
        typer.echo(f"{item['kid']}  {item['alg']:<6} {item['status']:<9} created {item['created_at']}"
                   + (f"  published until {item['publish_until']}" if item["publish_until"] else ""))


@keys_app.command("rotate")
def keys_rotate(
    alg: Annotated[str | None, typer.Option(help="ES256 or EdDSA (default: ECERT_ISSUER_KEY_ALG)")] = None,
) -> None:
    """Retire the active key and start signing with a new one. Old keys stay in the JWKS."""
    from issuers.audit_trail import ACTOR_CLI
    from keys.store import active_key, rotate_key
    from wallet_api.admin.audit_log import record_key_event

    if alg is not None and alg not in KEY_ALGORITHMS:
        refuse(f"--alg {alg} is not offered: choose {' or '.join(KEY_ALGORITHMS)}")
    state = cli_state()
    settings = state.settings
    with Session(state.engine) as session:
        retiring = active_key(session)
        new = rotate_key(
            session,
            passphrase=settings.effective_key_passphrase,
            alg=alg or settings.issuer_key_alg,
            now=state.clock.now(),
            max_validity=state.max_validity,
        )
        # after the rotation: the checkpoints of these entries are signed by the new key
        record_key_event(session, state, action="key.rotate", kid=new.kid, actor=ACTOR_CLI, now=state.clock.now())
        if retiring is not None:
            record_key_event(session, state, action="key.retire", kid=retiring.kid, actor=ACTOR_CLI, now=state.clock.now())
    typer.echo(f"new active key {new.kid} ({new.alg})")


@operator_app.command("add")
def operator_add(
    name: Annotated[str, typer.Option(help="who this operator is")],
    agency: Annotated[str, typer.Option(help="agency id, e.g. mois, nts, knpa")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Register an agency operator and print its API key (shown once)."""
    from issuers.operators import add_operator
    from wallet_api.cli.admin import CLI_ACTOR
    from wallet_api.admin.parties import record_operator_added

    state = cli_state()
    known = {t.agency.id for t in state.registry.all()}
    if agency not in known:
        typer.echo(f"unknown agency {agency!r}; known: {', '.join(sorted(known))}", err=True)
        raise typer.Exit(2)
    with Session(state.engine) as session:
        created = add_operator(session, name=name, agency_id=agency, now=state.clock.now())
        record_operator_added(session, state, operator=created.operator, actor=CLI_ACTOR, now=state.clock.now())
    out = {"operator_id": created.operator.id, "agency": agency, "api_key": created.api_key}
    typer.echo(json.dumps(out) if as_json else f"operator {out['operator_id']} for {agency}: API key {out['api_key']}")


@wallet_app.command("purge-expired")
def wallet_purge_expired() -> None:
    """Delete stored certificates past expiry + ECERT_EXPIRED_CREDENTIAL_RETENTION_DAYS (run it daily)."""
    from wallet_api.wallet.credential_views import purge_expired

    state = cli_state()
    with Session(state.engine) as session:
        purged = purge_expired(
            session, now=state.clock.now(), retention_days=state.settings.expired_credential_retention_days
        )
    typer.echo(f"purged {purged} expired certificates")


@app.command()
def maintenance(as_json: bool = typer.Option(False, "--json", help="one JSON object: table → rows purged")) -> None:
    """Delete what has expired: nonces, offers, tokens, replay and scan marks, console sessions,
    presentation requests and results, share links, challenges, rate-limit windows, and
    stored certificates past ECERT_EXPIRED_CREDENTIAL_RETENTION_DAYS. The server also runs
    this every ECERT_MAINTENANCE_INTERVAL_S."""
    from wallet_api.db.maintenance import purge_expired_rows

    state = cli_state()
    try:
        purged = purge_expired_rows(state)
    finally:
        state.engine.dispose()
    if purged is None:
        typer.echo(json.dumps({"skipped": "another maintenance run holds the lock"}) if as_json
                   else "skipped: another maintenance run holds the lock")
        return
    if as_json:
        typer.echo(json.dumps(purged))
        return
    for table, count in purged.items():
        typer.echo(f"{table}: {count}")
    typer.echo(f"purged {sum(purged.values())} rows")


#: what a user can cause (bad settings, arguments, files): said in one line, never a traceback
USER_PROBLEMS = (SettingsError, WalletError, KeyLayerError, TypeFileError)


def main() -> None:
    """The `ecert` entry point."""
    try:
        app()
    except USER_PROBLEMS as exc:
        code = f" ({exc.code})" if isinstance(exc, WalletError) else ""
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"ecert: {message}{code}", err=True)
        sys.exit(2)
