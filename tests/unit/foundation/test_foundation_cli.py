"""Every command of ``sijill`` answers ``--help``."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from sijill.cli import app


def _paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    # Typer ships its own copy of click: walk groups by their `commands` mapping.
    paths = [prefix]
    if isinstance(getattr(group, "commands", None), dict):
        for name, sub in group.commands.items():
            paths += _paths(sub, (*prefix, name))
    return paths


def test_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    paths = _paths(root)
    assert ("demo",) in paths
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_version() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == "0.1.0"
