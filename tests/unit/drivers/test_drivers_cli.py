"""Receipt tools of ``sijill drivers``."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from drivers.cli import app

runner = CliRunner()


def test_render_then_decode_gives_the_same_dots(tmp_path: Path) -> None:
    png, data, back = tmp_path / "r.png", tmp_path / "r.bin", tmp_path / "back.png"
    result = runner.invoke(
        app,
        [
            "render-receipt",
            str(png),
            "--width",
            "384",
            "--duplicate",
            "--escpos",
            str(data),
            "--profile",
            "ZJ-5870",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["decode-receipt", str(data), str(back)])
    assert result.exit_code == 0, result.output
    assert "1 receipt(s), 384 dots wide" in result.output
    rendered, decoded = Image.open(png), Image.open(back)
    assert decoded.width == rendered.width
    top = decoded.crop((0, 0, rendered.width, rendered.height)).convert("1")
    assert top.tobytes() == rendered.convert("1").tobytes()


def test_render_refuses_other_widths(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render-receipt", str(tmp_path / "x.png"), "--width", "500"])
    assert result.exit_code != 0


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["selftest", "--help"],
        ["selftest", "printer", "--help"],
        ["selftest", "card", "--help"],
        ["selftest", "scanner", "--help"],
        ["decode-receipt", "--help"],
        ["render-receipt", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Usage" in result.output
