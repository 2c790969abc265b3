"""Spoken guidance: the commune's recorded clip when there is one, espeak-ng otherwise.

Clips live in ``<clips_dir>/<lang>/<screen key>.wav`` (e.g. ``ar/request.method.wav``);
synthesis reads the screen's instruction. A new prompt interrupts the one being spoken.
Nothing personal is ever spoken: prompts are the screens' fixed instructions.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from kiosk_terminal.core.model import Lang

log = logging.getLogger(__name__)

_VOICES = {Lang.AR: "ar", Lang.FR: "fr", Lang.EN: "en"}


class Speaker:
    def __init__(
        self,
        enabled: bool,
        clips_dir: Path | None = None,
        play_clip: Callable[[Path], None] | None = None,
        espeak: str | None = None,
    ) -> None:
        self.enabled = enabled
        self.clips_dir = clips_dir
        self.play_clip = play_clip
        self.espeak = espeak if espeak is not None else shutil.which("espeak-ng")
        self._proc: subprocess.Popen[bytes] | None = None
        self.last: tuple[str, str] | None = None  # (how, what): for tests and logs

    def clip_for(self, key: str, lang: Lang) -> Path | None:
        if self.clips_dir is None:
            return None
        path = self.clips_dir / lang.value / f"{key}.wav"
        return path if path.is_file() else None

    def command(self, text: str, lang: Lang) -> list[str] | None:
        voice = _VOICES.get(lang)
        if self.espeak is None or voice is None:
            return None
        return [self.espeak, "-v", voice, "-s", "150", "--", text]

    def say(self, key: str, text: str, lang: Lang) -> None:
        if not self.enabled or not text:
            return
        self.stop()
        clip = self.clip_for(key, lang)
        if clip is not None and self.play_clip is not None:
            self.last = ("clip", str(clip))
            self.play_clip(clip)
            return
        command = self.command(text, lang)
        if command is None:
            return
        self.last = ("espeak", lang.value)
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - fixed program, text as one argument
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            log.warning("speech unavailable: %s", exc)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()
