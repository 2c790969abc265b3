"""``sijill broker``: generate Mosquitto configurations and ACLs, run a broker of our own."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from central_broker.config import TlsSettings, fleet_acl, loopback_config, production_config
from central_broker.passwords import write_password_file
from central_broker.runner import start_loopback_broker
from protocol.topics import DEFAULT_ROOT
from sijill.ports import free_port

app = typer.Typer(help="Mosquitto configuration, ACL and a local broker.", no_args_is_help=True)


@app.command()
def config(
    production: Annotated[
        bool, typer.Option(help="Production: mutual TLS, ACL, no anonymous access.")
    ] = False,
    data_dir: Annotated[Path, typer.Option(help="Persistence directory.")] = Path(
        "/var/lib/mosquitto"
    ),
    port: Annotated[int, typer.Option(help="Listener port (0: a free one).")] = 0,
    address: Annotated[str, typer.Option(help="Listener address.")] = "",
    cafile: Annotated[Path | None, typer.Option(help="Device CA (only that CA).")] = None,
    certfile: Annotated[Path | None, typer.Option(help="Broker certificate.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="Broker private key.")] = None,
    acl_file: Annotated[Path, typer.Option(help="ACL file path.")] = Path(
        "/etc/mosquitto/sijill.acl"
    ),
    password_file: Annotated[
        Path | None, typer.Option(help="Password file for service accounts.")
    ] = None,
) -> None:
    """Print a Mosquitto configuration (loopback for development, or --production)."""
    if production:
        if not (cafile and certfile and keyfile):
            raise typer.BadParameter("--production needs --cafile, --certfile and --keyfile")
        cfg = production_config(
            data_dir,
            TlsSettings(cafile=cafile, certfile=certfile, keyfile=keyfile),
            acl_file,
            port=port or 8883,
            address=address or "0.0.0.0",  # noqa: S104 - terminals connect from the network
            password_file=password_file,
        )
    else:
        cfg = loopback_config(port or free_port(), data_dir)
    typer.echo(cfg.render(), nl=False)


@app.command()
def acl(
    fleet_user: Annotated[
        list[str], typer.Option(help="Fleet manager account(s): read all, write cmd/config.")
    ],
    records_user: Annotated[
        list[str] | None, typer.Option(help="Records backend account(s): office events.")
    ] = None,
    root: Annotated[str, typer.Option(help="Topic root.")] = DEFAULT_ROOT,
) -> None:
    """Print the ACL: each terminal (username = its id) only in its own subtree."""
    typer.echo(fleet_acl(tuple(fleet_user), tuple(records_user or ()), root), nl=False)


@app.command()
def passwd(
    file: Annotated[Path, typer.Argument(help="Password file to create (overwritten).")],
    user: Annotated[str, typer.Argument(help="Account name.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Write a password file with one service account (hashed by mosquitto_passwd)."""
    write_password_file(file, {user: password})
    typer.echo(f"wrote {file}")


@app.command()
def run(
    data_dir: Annotated[Path, typer.Option(help="Data directory (persistence, logs).")] = Path(
        "var"
    ),
    port: Annotated[int, typer.Option(help="Port (0: a free one).")] = 1883,
) -> None:
    """Run a loopback Mosquitto of our own until interrupted."""
    broker = start_loopback_broker(data_dir.resolve(), port or None)
    typer.echo(f"mosquitto listening on {broker.url} (pid {broker.process.pid})")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.is_set() and broker.process.poll() is None:
            done.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        broker.stop()
