"""``sijill records …``: serve the API, migrate, load demo data, verify the audit log, accounts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from records_backend.settings import RecordsSettings

app = typer.Typer(
    help="Records backend: civil-status acts, requests, staff accounts, audit.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()

DataDir = Annotated[
    Path | None, typer.Option(help="Data directory (records.db, signing key, scans).")
]
DbUrl = Annotated[str | None, typer.Option(help="Database URL (default: SQLite in the data dir).")]


def _settings(data_dir: Path | None, database_url: str | None, **extra: Any) -> RecordsSettings:
    overrides: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir.resolve()
    if database_url is not None:
        overrides["database_url"] = database_url
    return RecordsSettings(**overrides)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8100).")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Run the API server (migrates the database first)."""
    import os

    import uvicorn

    from records_backend.app import create_app, prepare_database_once
    from sijill.logs import configure_logging

    settings = _settings(data_dir, database_url, host=host, port=port)
    configure_logging(settings.log_level, settings.log_format, service="records")
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
        return
    # Several processes: migrate once here, then let each worker build the app from the
    # environment (each worker imports the factory).
    prepare_database_once(settings)
    os.environ["SIJILL_RECORDS_DATA_DIR"] = str(settings.data_dir)
    os.environ["SIJILL_RECORDS_MIGRATE_ON_STARTUP"] = "false"
    if settings.database_url:
        os.environ["SIJILL_RECORDS_DATABASE_URL"] = settings.database_url
    # A listening socket per worker (sijill/workers.py): uvicorn's shared one left a core
    # half idle while another worker took most connections.
    from sijill import workers as server_workers

    try:
        code = server_workers.serve(
            "records_backend.app:create_app", settings.host, settings.port, workers
        )
    except OSError as exc:
        raise typer.BadParameter(f"{settings.host}:{settings.port}: {exc.strerror}") from None
    raise typer.Exit(code)


@app.command()
def migrate(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply pending database migrations and load the office reference data."""
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.db.migrate import current_revision, upgrade
    from records_backend.services.offices import ensure_offices

    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        added = ensure_offices(session)
    console.print(f"schema at revision [bold]{current_revision(engine)}[/]; offices added: {added}")
    engine.dispose()


@app.command("seed-demo")
def seed_demo(
    acts: Annotated[
        int, typer.Option(help="How many acts to generate (1000000 for benchmarks).")
    ] = 2000,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load acts only into an empty registry.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 2026,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Load synthetic Meknes acts (with a progress bar) and the demo accounts, then print them."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.db.migrate import upgrade
    from records_backend.demo.seed import act_count, ensure_accounts, ensure_terminals, load_acts
    from records_backend.security.passwords import Passwords
    from records_backend.services.offices import ensure_offices

    settings = _settings(data_dir, database_url)
    if settings.mode == "production":
        console.print("[red]demo data is refused in production mode[/]")
        raise typer.Exit(2)
    engine = make_engine(settings.database_url_resolved())
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ensure_offices(session)
        existing = act_count(session)
    if if_empty and existing:
        console.print(f"registry already holds {existing} acts: no acts added")
    elif acts > 0:
        columns = (
            *Progress.get_default_columns()[:1],
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("acts", total=acts)
            load_acts(sessions, acts, seed, lambda n: progress.advance(task, n))
    passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
    with sessions.begin() as session:
        created = ensure_accounts(session, passwords)
        terminals = ensure_terminals(session, settings.data_dir)
    engine.dispose()
    from records_backend.demo.seed import DEMO_ACCOUNTS, TERMINALS_FILE

    table = Table(title="Demo accounts (development only)")
    for column in ("username", "password", "roles", "offices"):
        table.add_column(column)
    for acc in DEMO_ACCOUNTS:
        table.add_row(
            acc.username,
            acc.password,
            ", ".join(acc.roles),
            "all" if acc.all_offices else ", ".join(acc.offices),
        )
    console.print(table)
    _write_accounts_file(settings.data_dir / "demo-accounts.txt", DEMO_ACCOUNTS)
    console.print(
        f"{len(created)} accounts created; kiosk tokens for {', '.join(sorted(terminals))} "
        f"in {settings.data_dir / TERMINALS_FILE}"
    )


def _write_accounts_file(path: Path, accounts: Sequence[Any]) -> None:
    """The demo prints this file once everything is up (development data only, 0600)."""
    rows = [f"  {'username':<14} {'password':<20} roles"]
    rows += [f"  {a.username:<14} {a.password:<20} {', '.join(a.roles)}" for a in accounts]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")


@app.command("export")
def export_acts(
    out: Annotated[Path, typer.Option(help="File to write (JSON Lines, sijill.acts v1).")],
    office: Annotated[str | None, typer.Option(help="Only this office's acts.")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Export registered acts with their notes and history (JSON Lines)."""
    from records_backend.audit.log import Actor
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.exchange.jsonl import export

    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    with make_session_factory(engine)() as session, out.open("w", encoding="utf-8") as fh:
        count = export(session, fh, Actor("system:cli-export"), office)
        session.commit()
    engine.dispose()
    console.print(f"{count} acts written to {out}")


@app.command("import")
def import_acts(
    source: Annotated[Path, typer.Argument(help="A sijill.acts JSON Lines file.", exists=True)],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Import acts from JSON Lines; a file with any invalid line imports nothing."""
    from records_backend.audit.log import Actor
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.db.migrate import upgrade
    from records_backend.exchange.jsonl import import_file
    from records_backend.services.offices import ensure_offices

    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ensure_offices(session)
    with sessions() as session:
        report = import_file(session, source, Actor("system:cli-import"))
    engine.dispose()
    if report.errors:
        for error in report.errors:
            console.print(f"[red]{error}[/]")
        console.print("nothing imported")
        raise typer.Exit(1)
    console.print(
        f"{report.inserted} acts imported ({report.notes} notes), {report.skipped} already present"
    )


@app.command("expire-requests")
def expire_requests(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Expire requests past their date that nobody collected (run daily, e.g. from a timer)."""
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.db.types import utcnow
    from records_backend.services.requests import expire_overdue

    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    with make_session_factory(engine).begin() as session:
        count = expire_overdue(session, utcnow())
    engine.dispose()
    console.print(f"{count} requests expired")


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Check the whole audit chain; name the first altered, removed or reordered entry."""
    from records_backend.audit.log import verify
    from records_backend.db.engine import make_engine, make_session_factory

    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    with make_session_factory(engine)() as session:
        verdict = verify(session)
    engine.dispose()
    if verdict.ok:
        console.print(
            f"[green]audit log intact[/]: {verdict.checked} entries; "
            f"head {verdict.head_seq} {verdict.head_hash}"
        )
        return
    console.print(f"[red]audit log broken at entry {verdict.first_bad_seq}[/]: {verdict.problem}")
    console.print(f"the chain is intact up to entry {verdict.head_seq} ({verdict.head_hash})")
    raise typer.Exit(1)


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Login name of the new central administrator.")],
    full_name: Annotated[str, typer.Option(help="Full name.")] = "Central administrator",
    password: Annotated[str | None, typer.Option(help="Password (prompted when omitted).")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create a central administrator (all offices) who can then create the other accounts."""
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.db.migrate import upgrade
    from records_backend.domain.errors import DomainError
    from records_backend.domain.roles import Role
    from records_backend.security.passwords import Passwords
    from records_backend.services.accounts import create_user
    from records_backend.services.offices import ensure_offices
    from records_backend.services.principal import Principal

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings(data_dir, database_url)
    engine = make_engine(settings.database_url_resolved())
    upgrade(engine)
    try:
        with make_session_factory(engine).begin() as session:
            ensure_offices(session)
            create_user(
                session,
                Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
                Principal.system(),
                username=username,
                full_name=full_name,
                password=password,
                roles=[Role.CENTRAL_ADMIN],
                office_codes=[],
                all_offices=True,
            )
    except DomainError as exc:
        console.print(f"[red]{exc.code}[/]: {exc.message_fr} {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(f"central administrator [bold]{username}[/] created")
