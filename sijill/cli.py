"""The ``sijill`` command: one entry point, a sub-command per component.

Components are mounted when their package is installed with its role's dependencies; on a
kiosk (no server extras) the server commands explain what to install instead of failing.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from sijill import __version__

app = typer.Typer(
    name="sijill",
    help="Sijill — civil-status registry, self-service kiosks and fleet management.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

# (sub-command, module holding a typer `app`, extra that provides its dependencies, help)
COMPONENTS: tuple[tuple[str, str, str, str], ...] = (
    ("records", "records_backend.cli", "server", "Records backend: acts, requests, accounts."),
    ("fleet", "fleet_manager.cli", "server", "Fleet manager: terminal health, alerts, commands."),
    ("broker", "central_broker.cli", "server", "Central MQTT broker configuration and runner."),
    (
        "documents",
        "records_backend.documents.cli",
        "server",
        "Official documents: render, sign, verify, keys.",
    ),
    ("kiosk", "kiosk_terminal.cli", "kiosk", "Kiosk terminal: the touchscreen app."),
    ("drivers", "drivers.cli", "kiosk", "Kiosk devices: self-tests and tools."),
    ("provision", "provisioning.cli", "server", "Provisioning: terminal identities, self-test."),
)


def _mount(name: str, module: str, extra: str, help_text: str) -> None:
    try:
        sub = importlib.import_module(module).app
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return  # the component does not exist in this release
        missing = exc.name

        def unavailable() -> None:
            typer.echo(
                f"'sijill {name}' needs the '{extra}' dependencies ({missing} is missing): "
                f"pip install 'sijill[{extra}]'",
                err=True,
            )
            raise typer.Exit(2)

        app.command(name, help=f"{help_text} (not installed here)")(unavailable)
        return
    app.add_typer(sub, name=name, help=help_text)


def _wanted(argv: list[str]) -> tuple[tuple[str, str, str, str], ...]:
    """The component named on the command line alone, else all (help, completion, tests).

    A terminal starts ``sijill kiosk run``: importing the servers' command modules too (their
    settings, rich's console and tracebacks, structlog…) held ~8 MB more for the kiosk's
    whole life (docs/kiosk_terminal.md, "Memory").
    """
    first = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    named = tuple(spec for spec in COMPONENTS if spec[0] == first)
    return named or COMPONENTS


for _spec in _wanted(sys.argv):
    _mount(*_spec)


@app.command()
def version() -> None:
    """Print Sijill's version."""
    typer.echo(__version__)


@app.command()
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", envvar="SIJILL_DATA_DIR", help="Where all data lives.")
    ] = Path("var"),
    terminals: Annotated[int, typer.Option(help="Simulated terminals to run.", min=0)] = 18,
    host: Annotated[str, typer.Option(help="Address the services listen on.")] = "127.0.0.1",
    seed_acts: Annotated[int, typer.Option(help="Synthetic acts to load on first start.")] = 2000,
    million: Annotated[bool, typer.Option("--million", help="Load one million acts.")] = False,
) -> None:
    """Run the whole system on embedded defaults until Ctrl-C.

    Starts a Mosquitto of its own on loopback, the records backend, the fleet manager and
    simulated terminals, waits until each is healthy, prints where to look, restarts a
    crashed child, and stops everything on Ctrl-C.
    """
    from sijill.demo import DemoOptions, run_demo

    raise typer.Exit(
        run_demo(
            DemoOptions(
                data_dir=data_dir.resolve(),
                terminals=terminals,
                host=host,
                seed_acts=1_000_000 if million else seed_acts,
            )
        )
    )


def main() -> None:
    app()
