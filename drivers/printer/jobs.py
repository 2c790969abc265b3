"""Print jobs with ids, journaled to disk, so no receipt is lost and none is printed twice.

- A finished job is never printed again (a retry with the same id is a no-op).
- A job stopped by paper out (or an opened cover) is printed once more, whole, when the
  printer is ready again.
- A job interrupted by a power cut (the kiosk's or the printer's) is reprinted marked
  "نسخة مكررة / DUPLICATA": the printer cannot say how far it got, so the citizen may
  already hold a complete copy.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from drivers.errors import CoverOpen, DeviceTimeout, DeviceUnavailable, PaperOut
from drivers.printer.interface import PrinterStatus, ReceiptPrinter
from drivers.printer.receipt import ReceiptContent

log = logging.getLogger(__name__)


class JobState(StrEnum):
    WAITING = "waiting"  # not started: the printer was not ready
    PRINTING = "printing"  # bytes on their way; found like this after a restart = power cut
    STOPPED = "stopped"  # the printer stopped mid-job (paper out, cover): print once more
    INTERRUPTED = "interrupted"  # unknown how far it got: reprint as a duplicate
    DONE = "done"


class JobRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: str
    state: JobState
    content: ReceiptContent
    duplicate: bool = False
    attempts: int = 0


class JobOutcome(StrEnum):
    PRINTED = "printed"
    ALREADY_PRINTED = "already_printed"


class JobJournal:
    """A small JSON file written atomically (write, fsync, rename) on every change."""

    def __init__(self, path: Path, keep_done: int = 500) -> None:
        self.path = path
        self.keep_done = keep_done
        self._jobs: dict[str, JobRecord] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                records = [JobRecord.model_validate(item) for item in raw.get("jobs", [])]
            except (ValueError, AttributeError):
                # Never expected (writes are atomic), but a kiosk must still start: keep the
                # bad file for a technician and begin a fresh journal.
                path.replace(path.with_suffix(".corrupt"))
                log.error("print job journal unreadable; moved aside", extra={"path": str(path)})
                records = []
            for record in records:
                self._jobs[record.job_id] = record

    def get(self, job_id: str) -> JobRecord | None:
        return self._jobs.get(job_id)

    def unfinished(self) -> list[JobRecord]:
        return [r for r in self._jobs.values() if r.state is not JobState.DONE]

    def put(self, record: JobRecord) -> None:
        self._jobs[record.job_id] = record
        self._prune()
        self._save()

    def _prune(self) -> None:
        done = [k for k, r in self._jobs.items() if r.state is JobState.DONE]
        for key in done[: max(0, len(done) - self.keep_done)]:
            del self._jobs[key]

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"jobs": [r.model_dump(mode="json") for r in self._jobs.values()]})
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".jobs-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass
class PrintJobs:
    """Runs jobs on a printer, following the rules in the module docstring."""

    printer: ReceiptPrinter
    journal: JobJournal
    encoder: Callable[[ReceiptContent], bytes]
    status_timeout_s: float = 1.0
    send_timeout_s: float = 10.0
    #: How long to watch the status after sending: a real printer reports paper out only
    #: when its mechanism reaches the end, a little after the bytes left.
    settle_s: float = 0.0
    poll_s: float = 0.1

    def print(self, job_id: str, content: ReceiptContent) -> JobOutcome:
        """Print a new job (or retry one); raises PaperOut, CoverOpen, DeviceUnavailable…"""
        record = self.journal.get(job_id)
        if record is not None and record.state is JobState.DONE:
            return JobOutcome.ALREADY_PRINTED
        if record is None:
            record = JobRecord(job_id=job_id, state=JobState.WAITING, content=content)
            self.journal.put(record)
        self._attempt(record)
        return JobOutcome.PRINTED

    def recover(self) -> list[str]:
        """At start-up: jobs caught mid-print by a power cut become duplicates to reprint."""
        ids = []
        for record in self.journal.unfinished():
            if record.state is JobState.PRINTING:
                record.state = JobState.INTERRUPTED
                record.duplicate = True
                self.journal.put(record)
                ids.append(record.job_id)
        return ids

    def resume(self) -> list[str]:
        """Print every unfinished job once more, oldest first; returns the ids printed."""
        printed = []
        for record in self.journal.unfinished():
            if record.state is JobState.PRINTING:
                continue  # only recover() decides about those
            self._attempt(record)
            printed.append(record.job_id)
        return printed

    def pending(self) -> list[JobRecord]:
        return self.journal.unfinished()

    def _attempt(self, record: JobRecord) -> None:
        before = self.printer.status(self.status_timeout_s)
        self._refuse_if_stopped(record, before, JobState.WAITING if record.attempts == 0 else None)
        content = record.content.as_duplicate() if record.duplicate else record.content
        data = self.encoder(content)
        record.state = JobState.PRINTING
        record.attempts += 1
        self.journal.put(record)
        try:
            self.printer.send(data, timeout=self.send_timeout_s)
            after = self._settle()
        except (DeviceUnavailable, DeviceTimeout):
            record.state = JobState.INTERRUPTED
            record.duplicate = True
            self.journal.put(record)
            raise
        self._refuse_if_stopped(record, after, JobState.STOPPED)
        record.state = JobState.DONE
        self.journal.put(record)

    def _settle(self) -> PrinterStatus:
        deadline = time.monotonic() + self.settle_s
        while True:
            status = self.printer.status(self.status_timeout_s)
            if status.known and (status.paper_out or status.cover_open or status.error):
                return status
            if time.monotonic() >= deadline:
                return status
            time.sleep(self.poll_s)

    def _refuse_if_stopped(
        self, record: JobRecord, status: PrinterStatus, state: JobState | None
    ) -> None:
        if not status.known:
            return  # a file or a mute printer: print and hope, as any POS does
        problem: DeviceUnavailable | PaperOut | CoverOpen | None = None
        if status.paper_out:
            problem = PaperOut("printer is out of paper")
        elif status.cover_open:
            problem = CoverOpen("printer cover is open")
        elif status.error or not status.online:
            problem = DeviceUnavailable("printer is offline or in error")
        if problem is None:
            return
        if state is not None:
            record.state = state
            self.journal.put(record)
        raise problem
