"""Operations commands: ``ecert rp show|deactivate|rotate-key``, ``ecert operator
list|show|deactivate|rotate-key``, ``ecert admin add``, ``ecert credentials
find|revoke|suspend|reinstate`` and ``ecert audit verify``.

They read the same ``ECERT_*`` settings as the server and act as the actor ``cli`` in the
audit trail (whoever has the server's settings and database is the service itself).
The CLI acts for every agency: a record is changed on behalf of the agency that issued it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Annotated, Any

import typer
from sqlmodel import Session

from issuers.audit_trail import ACTOR_CLI, AuditEvent, sign_head_now, verify_chain
from issuers.credential_status import (
    REASON_CODES,
    CredentialState,
    RecordQuery,
    StatusChangeAudit,
    StatusChangeReason,
    change_status,
    find_records,
    person_ref,
    record_agency,
    record_id_for_document,
)
from issuers.pipeline import KST
from schemas.errors import WalletError
from wallet_api.admin import parties as party_admin
from wallet_api.auth.administrators import add_administrator
from wallet_api.admin.audit_log import checkpoint_policy, record
from wallet_api.state import AppState

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON")]
CLI_ACTOR = party_admin.Actor(name=ACTOR_CLI)

admin_app = typer.Typer(help="Service administrators (API keys for /v1/admin/relying-parties|operators)", no_args_is_help=True)
credentials_app = typer.Typer(help="Issued certificates: find, revoke, suspend, reinstate", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail", no_args_is_help=True)


@contextmanager
def _session() -> Iterator[tuple[AppState, Session]]:
    """State and a session; a WalletError becomes ``error: code: detail`` and exit 1."""
    from wallet_api.cli.location import cli_state

    state = cli_state()
    try:
        with Session(state.engine, expire_on_commit=False) as session:
            yield state, session
    except WalletError as exc:
        typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        state.engine.dispose()


def _echo(value: dict[str, Any] | list[Any], as_json: bool, text: Callable[[], str]) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2) if as_json else text())


# --- relying parties -------------------------------------------------------------------
def rp_show(client_id: Annotated[str, typer.Argument(help="the party's client_id")], as_json: JsonOption = False) -> None:
    """Show one relying party (active or not)."""
    with _session() as (_, session):
        party = party_admin.relying_party(session, client_id=client_id).model_dump(mode="json")
    _echo(party, as_json, lambda: "\n".join(f"{k}: {v}" for k, v in party.items()))


def rp_deactivate(client_id: Annotated[str, typer.Argument(help="the party's client_id")], as_json: JsonOption = False) -> None:
    """Turn a relying party off: its key stops working within a second, its console sessions end."""
    with _session() as (state, session):
        party = party_admin.deactivate_party(session, state, client_id=client_id, actor=CLI_ACTOR, now=state.clock.now())
    out = {"client_id": party.client_id, "active": party.active}
    _echo(out, as_json, lambda: f"relying party {party.client_id} deactivated")


def rp_rotate_key(client_id: Annotated[str, typer.Argument(help="the party's client_id")], as_json: JsonOption = False) -> None:
    """Give a relying party a new API key (printed once); the old key stops at once."""
    with _session() as (state, session):
        rotated = party_admin.rotate_party_key(session, state, client_id=client_id, actor=CLI_ACTOR, now=state.clock.now())
    out = {"client_id": rotated.client_id, "api_key": rotated.api_key}
    _echo(out, as_json, lambda: f"client_id {rotated.client_id}\napi_key   {rotated.api_key}  (shown once)")


# --- operators -------------------------------------------------------------------------
def operator_list(as_json: JsonOption = False) -> None:
    """Show the agency operators."""
    with _session() as (_, session):
        rows = [o.model_dump(mode="json") for o in party_admin.operators(session)]
    _echo(rows, as_json, lambda: "\n".join(
        f"{r['id']}  {r['agency_id']:<8} {'active' if r['active'] else 'inactive':<8} {r['name']}" for r in rows))


def operator_show(operator_id: Annotated[str, typer.Argument(help="operator id")], as_json: JsonOption = False) -> None:
    """Show one operator."""
    with _session() as (_, session):
        row = party_admin.operator(session, operator_id=operator_id).model_dump(mode="json")
    _echo(row, as_json, lambda: "\n".join(f"{k}: {v}" for k, v in row.items()))


def operator_deactivate(operator_id: Annotated[str, typer.Argument(help="operator id")], as_json: JsonOption = False) -> None:
    """Turn an operator off: its key is refused from the next request on."""
    with _session() as (state, session):
        row = party_admin.deactivate_agency_operator(session, state, operator_id=operator_id, actor=CLI_ACTOR, now=state.clock.now())
    _echo({"operator_id": row.id, "active": row.active}, as_json, lambda: f"operator {row.id} deactivated")


def operator_rotate_key(operator_id: Annotated[str, typer.Argument(help="operator id")], as_json: JsonOption = False) -> None:
    """Give an operator a new API key (printed once); the old key stops at once."""
    with _session() as (state, session):
        rotated = party_admin.rotate_agency_operator_key(session, state, operator_id=operator_id, actor=CLI_ACTOR, now=state.clock.now())
    out = {"operator_id": rotated.operator_id, "api_key": rotated.api_key}
    _echo(out, as_json, lambda: f"operator {rotated.operator_id}: API key {rotated.api_key}  (shown once)")


# --- administrators --------------------------------------------------------------------
@admin_app.command("add")
def admin_add(name: Annotated[str, typer.Option(help="who this administrator is")], as_json: JsonOption = False) -> None:
    """Create a service administrator and print its API key (shown once)."""
    with _session() as (state, session):
        created = add_administrator(session, name=name, now=state.clock.now())
        event = AuditEvent(actor=ACTOR_CLI, action="administrator.add", target=f"admin:{created.administrator.id}")
        record(session, state, event, now=state.clock.now())  # commits the administrator with its entry
    out = {"admin_id": created.administrator.id, "api_key": created.api_key}
    _echo(out, as_json, lambda: f"administrator {out['admin_id']}: API key {out['api_key']}  (shown once)")


# --- issued certificates ---------------------------------------------------------------
def _day_start(day: date) -> datetime:
    # issue dates are days in Korea (KST), as printed on the certificates
    return datetime.combine(day, time.min, tzinfo=KST)


def _record_json(state: CredentialState) -> dict[str, Any]:
    record = state.credential
    return {
        "record_id": record.id,
        "type_id": record.type_id,
        "agency_id": record.agency_id,
        "person_ref": state.subject_ref,
        "status": state.status,
        "expired": state.expired,
        "issued_at": record.issued_at.isoformat(),
        "expires_at": record.expires_at.isoformat(),
        "document_number": record.document_number,
        "status_reason": state.status_reason,
        "status_note": state.status_note,
        "status_changed_at": state.status_changed_at.isoformat() if state.status_changed_at else None,
        "status_changed_by": state.status_changed_by,
    }


@credentials_app.command("find")
def credentials_find(
    document: Annotated[str | None, typer.Option("--document", help="document check number (문서확인번호)")] = None,
    person: Annotated[str | None, typer.Option("--person", help="resident registration number (matched by its keyed hash)")] = None,
    type_id: Annotated[str | None, typer.Option("--type", help="certificate type id")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="issued on or after this day (KST)")] = None,
    until: Annotated[datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="issued before this day (KST)")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="only this agency's records")] = None,
    limit: Annotated[int, typer.Option(help="records per page (1-200)")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    as_json: JsonOption = False,
) -> None:
    """Find issuance records, newest first (keyset pages: pass --cursor for the next one)."""
    with _session() as (state, session):
        query = RecordQuery(
            document_number=document,
            subject_ref=person_ref(state.sealer, person) if person is not None else None,
            type_id=type_id,
            issued_since=_day_start(since.date()) if since else None,
            issued_until=_day_start(until.date()) if until else None,
        )
        page = find_records(session, agency_id=agency, query=query, now=state.clock.now(), limit=limit, cursor=cursor)
    out = {"records": [_record_json(r) for r in page.records], "next_cursor": page.next_cursor}

    def text() -> str:
        lines = [f"{r['record_id']}  {r['document_number']}  {r['type_id']:<32} {r['status']:<9} issued {r['issued_at']}"
                 for r in out["records"]]
        if page.next_cursor:
            lines.append(f"more: --cursor {page.next_cursor}")
        return "\n".join(lines) if lines else "no records"

    _echo(out, as_json, text)


def _status_command(action: str) -> Callable[..., None]:
    def command(
        reason: Annotated[str, typer.Option("--reason", help=f"one of: {', '.join(REASON_CODES)}")],
        record_id: Annotated[str | None, typer.Argument(help="record id (from `ecert credentials find`)")] = None,
        document: Annotated[str | None, typer.Option("--document", help="document check number instead of the record id")] = None,
        note: Annotated[str | None, typer.Option("--note", help="free text kept with the record")] = None,
        as_json: JsonOption = False,
    ) -> None:
        if (record_id is None) == (document is None):
            typer.echo("error: give RECORD_ID or --document N (one of them)", err=True)
            raise typer.Exit(2)
        with _session() as (state, session):
            why = StatusChangeReason(reason, note)
            if document is not None:
                record_id = record_id_for_document(session, document_number=document, agency_id=None)
            assert record_id is not None
            result = change_status(
                session,
                record_id=record_id,
                agency_id=record_agency(session, record_id=record_id),
                action=action,
                now=state.clock.now(),
                reason=why,
                audit=StatusChangeAudit(actor=ACTOR_CLI, policy=checkpoint_policy(state)),
            )
        out = _record_json(result)
        _echo(out, as_json, lambda: f"{out['record_id']} ({out['document_number']}): {out['status']} ({reason})")

    command.__doc__ = {
        "revoke": "Revoke a certificate for good (by record id or --document), with a reason code.",
        "suspend": "Suspend a certificate (by record id or --document), with a reason code.",
        "reinstate": "Lift a suspension (by record id or --document), with a reason code.",
    }[action]
    return command


for _action in ("revoke", "suspend", "reinstate"):
    credentials_app.command(_action)(_status_command(_action))


# --- audit trail -----------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    sign: Annotated[bool, typer.Option("--sign", help="also sign the current head when the chain is whole")] = False,
    as_json: JsonOption = False,
) -> None:
    """Walk the audit chain: exit 0 when whole, 1 naming the first changed, removed or reordered entry."""
    with _session() as (state, session):
        report = verify_chain(session)
        if report.whole and sign:
            sign_head_now(session, signer=state.signers.active_signer(session), now=state.clock.now())
    out = {"whole": report.whole, "entries": report.entries, "checkpoints": report.checkpoints,
           "first_bad_seq": report.first_bad_seq, "problem": report.problem}
    _echo(out, as_json, lambda: (f"audit chain whole: {report.entries} entries, {report.checkpoints} signed checkpoints"
                                 if report.whole else f"audit chain broken at entry {report.first_bad_seq}: {report.problem}"))
    if not report.whole:
        raise typer.Exit(1)


def register(app: typer.Typer, *, rp_app: typer.Typer, operator_app: typer.Typer) -> None:
    """Add these commands to the ``ecert`` app (wallet_api/cli/main.py)."""
    rp_app.command("show")(rp_show)
    rp_app.command("deactivate")(rp_deactivate)
    rp_app.command("rotate-key")(rp_rotate_key)
    operator_app.command("list")(operator_list)
    operator_app.command("show")(operator_show)
    operator_app.command("deactivate")(operator_deactivate)
    operator_app.command("rotate-key")(operator_rotate_key)
    app.add_typer(admin_app, name="admin")
    app.add_typer(credentials_app, name="credentials")
    app.add_typer(audit_app, name="audit")

