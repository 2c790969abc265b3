"""``sijill fleet``: run the fleet manager, or simulated terminals for demos and benchmarks."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from fleet_manager.settings import FleetSettings
from fleet_manager.simulator import DEFAULT_OFFICES, FaultPlan, Simulator
from protocol.topics import DEFAULT_ROOT
from sijill.logs import configure_logging

app = typer.Typer(help="Fleet manager: terminal health, alerts, commands.", no_args_is_help=True)
db_app = typer.Typer(help="The fleet database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DataDir = Annotated[Path | None, typer.Option(help="Data directory (fleet.db lives here).")]
DbUrl = Annotated[
    str | None, typer.Option(help="Database URL (default: fleet.db in the data directory).")
]


def _db_settings(data_dir: Path | None, database_url: str | None) -> FleetSettings:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return FleetSettings(**overrides)  # type: ignore[arg-type]


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply pending migrations (a database made before migrations is stamped first)."""
    from fleet_manager.db import make_engine
    from fleet_manager.migrate import current_revision, upgrade

    engine = make_engine(_db_settings(data_dir, database_url).database())
    try:
        before = current_revision(engine)
        upgrade(engine)
        typer.echo(f"fleet schema at revision {current_revision(engine)} (was {before})")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the database's revision and the newest one this release knows."""
    from fleet_manager.db import make_engine
    from fleet_manager.migrate import current_revision, head_revision

    engine = make_engine(_db_settings(data_dir, database_url).database())
    try:
        typer.echo(f"current: {current_revision(engine)}  head: {head_revision()}")
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default 8200).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (fleet.db lives here).")
    ] = None,
    mqtt_port: Annotated[int | None, typer.Option(help="Broker port.")] = None,
) -> None:
    """Run the fleet manager service (API, dashboard, /healthz, /metrics)."""
    import uvicorn

    from fleet_manager.app import create_app

    overrides: dict[str, object] = {}
    for key, value in (
        ("host", host),
        ("port", port),
        ("data_dir", data_dir),
        ("mqtt_port", mqtt_port),
    ):
        if value is not None:
            overrides[key] = value
    settings = FleetSettings(**overrides)  # type: ignore[arg-type]
    configure_logging(settings.log_level, settings.log_format, service="fleet")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@app.command()
def simulate(
    terminals: Annotated[int, typer.Option(help="How many terminals to simulate.")] = 50,
    host: Annotated[
        str, typer.Option(help="Broker address.", envvar="SIJILL_MQTT_HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Broker port.", envvar="SIJILL_MQTT_PORT")] = 1883,
    root: Annotated[str, typer.Option(help="Topic root.")] = DEFAULT_ROOT,
    interval: Annotated[float, typer.Option(help="Telemetry interval (s).")] = 10.0,
    keepalive: Annotated[int, typer.Option(help="MQTT keep-alive (s).")] = 15,
    prefix: Annotated[str, typer.Option(help="Terminal id prefix.")] = "sim",
    offices: Annotated[
        str, typer.Option(help="Comma-separated office codes to spread terminals over.")
    ] = ",".join(DEFAULT_OFFICES),
    fault: Annotated[
        list[str] | None,
        typer.Option(help="kind[:count][@seconds], e.g. kill:2@30, paper_out:3@10 (repeatable)."),
    ] = None,
    duration: Annotated[float, typer.Option(help="Seconds to run (0: until interrupted).")] = 0,
    usage_per_hour: Annotated[
        float, typer.Option(help="Requests submitted per terminal and hour (usage statistics).")
    ] = 6.0,
) -> None:
    """Run N simulated terminals (the kiosk's agent code) with injectable faults."""
    configure_logging("INFO", service="simulator")
    plans = [FaultPlan.parse(spec) for spec in fault or []]
    sim = Simulator(
        terminals,
        host=host,
        port=port,
        topic_root=root,
        interval_s=interval,
        keepalive_s=keepalive,
        prefix=prefix,
        offices=tuple(o.strip() for o in offices.split(",") if o.strip()),
        usage_per_hour=usage_per_hour,
    )
    up = sim.connect_all()
    typer.echo(f"{up}/{terminals} simulated terminals connected to {host}:{port}")
    for plan in plans:
        sim.schedule(plan)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        sim.run(duration or None, stop.is_set)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
