"""A small process supervisor: start children, wait for health, restart, stop cleanly.

Children run in their own process groups (Ctrl-C reaches only the supervisor, which then
stops them in order) and get SIGTERM from the kernel if the supervisor itself dies, so no
process is ever left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel for SIGTERM when we die.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass
    os.setsid()


@dataclass
class ChildSpec:
    name: str
    argv: Sequence[str]
    healthy: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    #: Environment known only once earlier children ran (e.g. a token a seed step wrote).
    env_factory: Callable[[], dict[str, str]] | None = None
    ready_timeout_s: float = 60.0
    #: A one-shot child (e.g. a seeding step) that must exit 0 before the next starts.
    oneshot: bool = False


@dataclass
class Child:
    spec: ChildSpec
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    recent_starts: list[float] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class SupervisorError(RuntimeError):
    pass


class Supervisor:
    """Runs children in order; restarts crashed ones with a back-off and a crash-loop limit."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        run_dir: Path,
        max_restarts_per_minute: int = 5,
    ) -> None:
        self.run_dir = run_dir
        self.log_dir = run_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.children = [Child(s, self.log_dir / f"{s.name}.log") for s in specs]
        self.max_restarts_per_minute = max_restarts_per_minute
        self._stopping = False

    # -- lifecycle --------------------------------------------------------------------
    def start_all(self, on_ready: Callable[[Child], None] | None = None) -> None:
        for child in self.children:
            if self._stopping:
                return
            self._spawn(child)
            if child.spec.oneshot:
                self._wait_oneshot(child)
            else:
                self._wait_healthy(child)
            if on_ready:
                on_ready(child)
        self._write_state()

    def request_stop(self) -> None:
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    def watch(self, poll_s: float = 0.5) -> None:
        """Until a stop is requested: restart any long-running child that exited."""
        while not self._stopping:
            for child in self.children:
                if child.spec.oneshot or child.alive() or self._stopping:
                    continue
                code = child.process.returncode if child.process else None
                log.warning(
                    "child exited; restarting", extra={"child": child.spec.name, "code": code}
                )
                self._restart(child)
            time.sleep(poll_s)

    def stop_all(self, timeout_s: float = 10.0) -> None:
        self._stopping = True
        for child in reversed(self.children):
            if child.alive():
                assert child.process is not None
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in reversed(self.children):
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("child did not stop; killing", extra={"child": child.spec.name})
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
            # Anything the child itself started in its group goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
        self._write_state()

    # -- internals --------------------------------------------------------------------
    def _spawn(self, child: Child) -> None:
        env = {**os.environ, **child.spec.env}
        if child.spec.env_factory:
            env.update(child.spec.env_factory())
        with child.log_path.open("ab") as out:
            child.process = subprocess.Popen(  # noqa: S603 - argv built by us
                list(child.spec.argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=_die_with_parent,
            )
        child.recent_starts.append(time.monotonic())
        self._write_state()

    def _wait_oneshot(self, child: Child) -> None:
        assert child.process is not None
        while child.process.poll() is None:
            if self._stopping:
                return
            time.sleep(0.2)
        if child.process.returncode != 0:
            raise SupervisorError(
                f"{child.spec.name} failed (exit {child.process.returncode}); see {child.log_path}"
            )

    def _wait_healthy(self, child: Child) -> None:
        deadline = time.monotonic() + child.spec.ready_timeout_s
        while time.monotonic() < deadline and not self._stopping:
            if not child.alive():
                raise SupervisorError(
                    f"{child.spec.name} exited during start-up; see {child.log_path}"
                )
            if child.spec.healthy():
                return
            time.sleep(0.2)
        if not self._stopping:
            raise SupervisorError(
                f"{child.spec.name} not healthy after {child.spec.ready_timeout_s:.0f} s; "
                f"see {child.log_path}"
            )

    def _restart(self, child: Child) -> None:
        now = time.monotonic()
        child.recent_starts = [t for t in child.recent_starts if now - t < 60]
        if len(child.recent_starts) >= self.max_restarts_per_minute:
            raise SupervisorError(
                f"{child.spec.name} keeps crashing ({len(child.recent_starts)} starts in a "
                f"minute); see {child.log_path}"
            )
        time.sleep(min(5.0, 0.5 * 2 ** len(child.recent_starts)))
        if self._stopping:
            return
        child.restarts += 1
        self._spawn(child)
        try:
            self._wait_healthy(child)
        except SupervisorError as exc:
            log.error("restart did not come up healthy", extra={"error": str(exc)})

    def _write_state(self) -> None:
        state = {
            "supervisor_pid": os.getpid(),
            "children": {
                c.spec.name: {"pid": c.pid, "alive": c.alive(), "restarts": c.restarts}
                for c in self.children
            },
        }
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.run_dir / "state.json")
