"""``sijill demo``: the whole system on one machine, on embedded defaults.

Children start in dependency order, each awaited until healthy: the broker, the records
backend (migrated and seeded on first start), the fleet manager, the simulated terminals.
Components join the list as they exist in this release.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import signal
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.table import Table

from central_broker.config import loopback_config
from central_broker.runner import mosquitto_binary, run_as_invoker, wait_for_port
from sijill.ports import preferred_or_free
from sijill.supervisor import Child, ChildSpec, Supervisor, SupervisorError

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"mqtt": 11883, "records": 8100, "fleet": 8200}


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path
    terminals: int = 18
    host: str = "127.0.0.1"
    seed_acts: int = 2000


@dataclass(frozen=True)
class Endpoint:
    name: str
    port: int
    fell_back: bool
    url: str


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own loopback URL
            return 200 <= int(resp.status) < 300
    except OSError:
        return False


def http_health(url: str) -> Callable[[], bool]:
    return lambda: http_ok(url)


def component_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _sijill(*args: str) -> list[str]:
    return [sys.executable, "-m", "sijill", *args]


def plan(options: DemoOptions) -> tuple[list[ChildSpec], list[Endpoint]]:
    """The children to run and the endpoints to announce (pure: no process started)."""
    data = options.data_dir
    specs: list[ChildSpec] = []
    endpoints: list[Endpoint] = []
    common_env = {"SIJILL_DATA_DIR": str(data), "SIJILL_MODE": "development"}

    mqtt_port, fell = preferred_or_free(DEFAULT_PORTS["mqtt"], options.host)
    broker_dir = data / "mosquitto"
    broker_dir.mkdir(parents=True, exist_ok=True)
    config = run_as_invoker(loopback_config(mqtt_port, broker_dir))
    (broker_dir / "mosquitto.conf").write_text(config.render())
    specs.append(
        ChildSpec(
            "broker",
            [mosquitto_binary(), "-c", str(broker_dir / "mosquitto.conf")],
            healthy=lambda: wait_for_port(options.host, mqtt_port, 0.2),
        )
    )
    endpoints.append(Endpoint("MQTT broker", mqtt_port, fell, f"mqtt://{options.host}:{mqtt_port}"))
    mqtt_env = {"SIJILL_MQTT_HOST": options.host, "SIJILL_MQTT_PORT": str(mqtt_port)}

    # Chosen first: the records backend's statistics page asks the fleet for kiosk usage.
    fleet_port = (
        preferred_or_free(DEFAULT_PORTS["fleet"], options.host)
        if component_available("fleet_manager.cli")
        else None
    )
    records_env: dict[str, str] = {}
    if component_available("records_backend.cli"):
        port, fell = preferred_or_free(DEFAULT_PORTS["records"], options.host)
        # Staff sign in to the fleet dashboard with the records backend's accounts.
        records_env["SIJILL_FLEET_RECORDS_URL"] = f"http://{options.host}:{port}"
        env = {**common_env, **mqtt_env}
        if fleet_port is not None:
            env["SIJILL_RECORDS_FLEET_URL"] = f"http://{options.host}:{fleet_port[0]}"
        specs.append(
            ChildSpec(
                "records-seed",
                _sijill(
                    "records",
                    "seed-demo",
                    "--data-dir",
                    str(data),
                    "--acts",
                    str(options.seed_acts),
                    "--if-empty",
                ),
                healthy=lambda: True,
                env=env,
                oneshot=True,
            )
        )
        base = f"http://{options.host}:{port}"
        specs.append(
            ChildSpec(
                "records",
                _sijill(
                    "records",
                    "serve",
                    "--host",
                    options.host,
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data),
                ),
                healthy=http_health(f"{base}/healthz"),
                env=env,
            )
        )
        endpoints.append(Endpoint("Records backend (API docs)", port, fell, f"{base}/docs"))
        if component_available("records_backend.web"):
            endpoints.append(Endpoint("Staff pages (sign in)", port, fell, f"{base}/staff/login"))
            endpoints.append(Endpoint("Citizen portal", port, fell, f"{base}/portal"))
        if component_available("kiosk_terminal.cli"):
            specs.append(_kiosk_spec(options, base, mqtt_env))
            endpoints.append(
                Endpoint("Kiosk screens (headless)", 0, False, str(data / "kiosk" / "screens"))
            )

    if fleet_port is not None:
        port, fell = fleet_port
        base = f"http://{options.host}:{port}"
        specs.append(
            ChildSpec(
                "fleet",
                _sijill(
                    "fleet",
                    "serve",
                    "--host",
                    options.host,
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data),
                ),
                healthy=http_health(f"{base}/healthz"),
                env={**common_env, **mqtt_env, **records_env},
            )
        )
        endpoints.append(Endpoint("Fleet dashboard", port, fell, f"{base}/"))
        if options.terminals:
            specs.append(
                ChildSpec(
                    "terminals",
                    _sijill("fleet", "simulate", "--terminals", str(options.terminals)),
                    healthy=lambda: True,
                    env={**common_env, **mqtt_env},
                )
            )
    return specs, endpoints


DEMO_KIOSK = ("kiosk-mk01-01", "MK01")


def _kiosk_spec(options: DemoOptions, backend: str, mqtt_env: dict[str, str]) -> ChildSpec:
    """One kiosk on simulated devices: a window when there is a display, else off-screen
    with a screenshot of each screen it reaches."""
    terminal_id, office = DEMO_KIOSK
    data = options.data_dir
    screens = data / "kiosk" / "screens"

    def token_env() -> dict[str, str]:
        tokens_file = data / "demo-terminals.json"
        tokens = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
        token = tokens.get(terminal_id)
        return {"SIJILL_KIOSK_BACKEND_TOKEN": token} if token else {}

    return ChildSpec(
        "kiosk",
        _sijill(
            "kiosk",
            "run",
            "--simulated",
            "--windowed",
            "--data-dir",
            str(data),
            "--backend-url",
            backend,
        ),
        healthy=lambda: (screens / "attract.png").exists(),
        env={
            "SIJILL_KIOSK_TERMINAL_ID": terminal_id,
            "SIJILL_KIOSK_OFFICE_CODE": office,
            "SIJILL_KIOSK_MQTT_HOST": mqtt_env["SIJILL_MQTT_HOST"],
            "SIJILL_KIOSK_MQTT_PORT": mqtt_env["SIJILL_MQTT_PORT"],
        },
        env_factory=token_env,
    )


def run_demo(options: DemoOptions, console: Console | None = None) -> int:
    console = console or Console()
    options.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        specs, endpoints = plan(options)
    except Exception as exc:  # a missing binary or an unwritable data directory
        console.print(f"[red]cannot start the demo:[/red] {exc}")
        return 1
    supervisor = Supervisor(specs, options.data_dir / "run")

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        supervisor.request_stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def on_ready(child: Child) -> None:
        if not child.spec.oneshot:
            console.print(f"  [green]✓[/green] {child.spec.name} healthy (pid {child.pid})")

    console.print(f"Sijill demo — data in [bold]{options.data_dir}[/bold]")
    code = 0
    try:
        supervisor.start_all(on_ready)
        if not supervisor.stopping:
            _announce(console, endpoints, options)
            supervisor.watch()
    except SupervisorError as exc:
        console.print(f"[red]demo failed:[/red] {exc}")
        code = 1
    finally:
        console.print("stopping…")
        with contextlib.suppress(KeyboardInterrupt):
            supervisor.stop_all()
        console.print("stopped.")
    return code


def _announce(console: Console, endpoints: list[Endpoint], options: DemoOptions) -> None:
    table = Table(title="Sijill is running", title_justify="left")
    table.add_column("what")
    table.add_column("where")
    for ep in endpoints:
        note = " [yellow](default port taken: fell back)[/yellow]" if ep.fell_back else ""
        table.add_row(ep.name, ep.url + note)
    console.print(table)
    accounts = options.data_dir / "demo-accounts.txt"
    if accounts.exists():
        console.print(f"Demo accounts:\n{accounts.read_text().rstrip()}")
    console.print(f"Logs: {options.data_dir / 'run' / 'logs'}")
    console.print("SIJILL DEMO READY — press Ctrl-C to stop.", highlight=False)
