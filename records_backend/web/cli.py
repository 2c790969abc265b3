"""``sijill pages …``: demo staff for the pages, and the pages' addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Staff pages, citizen portal and statistics.", no_args_is_help=True)
console = Console()

PAGES = (
    ("/staff/login", "staff sign-in"),
    ("/staff/counter", "clerks' counter"),
    ("/staff/office", "officers' back-office"),
    ("/staff/admin/users", "administration"),
    ("/staff/audit", "audit viewer"),
    ("/staff/stats", "statistics"),
    ("/staff/help", "staff guides"),
    ("/portal", "citizen portal"),
)


@app.command()
def urls(
    base: Annotated[str, typer.Option(help="Where the records backend listens.")] = (
        "http://127.0.0.1:8100"
    ),
) -> None:
    """Print the address of every page."""
    for path, what in PAGES:
        console.print(f"{what:>22}  {base.rstrip('/')}{path}")


@app.command("seed-demo")
def seed_demo(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory of the backend.")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Create the demo staff accounts, two acts and three requests (never in production)."""
    from records_backend.app import build_state, prepare_database
    from records_backend.settings import RecordsSettings
    from records_backend.web.demo import DEMO_PASSWORD, DEMO_STAFF, seed

    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir.resolve()
    if database_url is not None:
        overrides["database_url"] = database_url
    settings = RecordsSettings(**overrides)  # type: ignore[arg-type]
    if settings.mode == "production":
        raise typer.BadParameter("demo data is refused in production mode")
    state = build_state(settings)
    prepare_database(state)
    for req in seed(state):
        console.print(f"request {req.code}  secret {req.secret}  QR SJ1|{req.code}|{req.secret}")
    names = ", ".join(name for name, *_ in DEMO_STAFF)
    console.print(f"staff: {names} — password {DEMO_PASSWORD}")
