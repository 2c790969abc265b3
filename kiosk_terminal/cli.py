"""``sijill kiosk …``: run the touchscreen app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Kiosk terminal: the touchscreen app.", no_args_is_help=True)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@app.command()
def run(
    simulated: Annotated[
        bool, typer.Option("--simulated", help="Use the simulated printer (no hardware).")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Where the outbox and journals live.")
    ] = None,
    backend_url: Annotated[
        str | None,
        typer.Option("--backend-url", help="Records backend base URL (none: work offline)."),
    ] = None,
    headless_screenshots: Annotated[
        Path | None,
        typer.Option(
            "--headless-screenshots",
            help="Walk through every screen in Arabic and French by simulated touches, "
            "save a screenshot of each in this folder, then exit.",
        ),
    ] = None,
    windowed: Annotated[
        bool, typer.Option("--windowed", help="A window instead of fullscreen (development).")
    ] = False,
    card: Annotated[
        str | None,
        typer.Option(
            "--card",
            help="Card reader: pcsc (pcscd; reader named by SIJILL_KIOSK_CARD_READER), "
            "simulated, none. Default: the 'card' setting.",
        ),
    ] = None,
) -> None:
    """Run the kiosk until SIGTERM (fullscreen; Escape and the close button do nothing).

    With a display, a kiosk window opens; without one, the app renders off-screen and writes
    a screenshot of each screen it reaches to DATA_DIR/kiosk/screens.
    """
    from kiosk_terminal.settings import KioskSettings

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir.resolve()
    if backend_url is not None:
        overrides["backend_url"] = backend_url
    if headless_screenshots is not None or not has_display():
        overrides["speech"] = False
        overrides["fullscreen"] = False
    if windowed:
        overrides["fullscreen"] = False
    if card is not None:
        if card not in ("auto", "pcsc", "simulated", "none"):
            raise typer.BadParameter("pcsc, simulated, none or auto", param_hint="--card")
        overrides["card"] = card
    settings = KioskSettings(**overrides)
    start_logging(settings)
    raise typer.Exit(run_app(settings, simulated, headless_screenshots))


def start_logging(settings: Any) -> None:
    """The kiosk's logs (JSON lines under systemd), as the service and the bench start them.

    structlog loads rich's console, tracebacks and pygments' lexers whenever rich is
    installed (Sijill's CLI needs it): ~3 MB held for the kiosk's life, only to draw
    exceptions in colour on a developer's terminal. The kiosk's console format prints them
    plainly instead.
    """
    from kiosk_terminal.lean import without

    with without("rich"):
        from sijill.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, service="kiosk")


def run_app(settings: Any, simulated: bool, screenshots: Path | None) -> int:
    """Start the Kivy app; returns the process exit code."""
    from kiosk_terminal.ui.config import configure_kivy

    configure_kivy(settings.fullscreen, settings.window_width, settings.window_height)
    from kivy.core.window import Window

    from kiosk_terminal.runtime import build_runtime, open_input_devices
    from kiosk_terminal.ui.app import KioskApp
    from kiosk_terminal.ui.tour import Tour

    card_reader, scanner = open_input_devices(settings, simulated)
    runtime = build_runtime(settings, simulated=simulated, card_reader=card_reader,
                            scanner=scanner)  # fmt: skip
    kiosk = KioskApp(runtime)
    if settings.mqtt_host:
        from kiosk_terminal.agent import AgentOptions
        from kiosk_terminal.services.fleet import FleetBridge

        options = AgentOptions(
            terminal_id=settings.terminal_id,
            office=settings.office_code,
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            topic_root=settings.topic_root,
            username=settings.mqtt_username,
            password=settings.mqtt_password.get_secret_value() if settings.mqtt_password else None,
            config_path=settings.data_dir / "kiosk" / "terminal-config.json",
            apply_log_level=True,
        )
        # A restart is a clean exit: the service manager starts the app again.
        bridge = FleetBridge(runtime, options, kiosk.run_on_ui, restart=kiosk.stop)
        runtime.closers.append(bridge.stop)
        kiosk.bind(on_start=lambda *_: bridge.start())
    outcome = {"code": 0}
    if screenshots is not None:

        def done(tour: Tour) -> None:
            for error in tour.errors:
                typer.echo(f"tour: {error}", err=True)
            typer.echo(f"{len(tour.shots)} screenshots in {screenshots}")
            outcome["code"] = 1 if tour.errors else 0
            kiosk.stop()

        tour = Tour(kiosk, screenshots, on_done=done)
        kiosk.bind(on_start=lambda *_: tour.start())
    elif not has_display():
        screens = settings.data_dir / "kiosk" / "screens"
        screens.mkdir(parents=True, exist_ok=True)

        def keep(_dt: float = 0.0) -> None:
            name = kiosk.session.screen.value
            written = Window.screenshot(name=str(screens / "screen.png"))
            if written:
                os.replace(written, screens / f"{name}.png")

        from kivy.clock import Clock

        kiosk.after_refresh.append(lambda: Clock.schedule_once(keep, 0.1))
    kiosk.run()
    return outcome["code"]
