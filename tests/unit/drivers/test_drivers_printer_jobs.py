"""Print jobs: no receipt lost, none printed twice, power cuts give a marked duplicate."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import CoverOpen, DeviceUnavailable, PaperOut
from drivers.printer.decode import decode
from drivers.printer.encode import encode_receipt
from drivers.printer.interface import PrinterStatus
from drivers.printer.jobs import JobJournal, JobOutcome, JobRecord, JobState, PrintJobs
from drivers.printer.receipt import ReceiptContent, sample_content
from drivers.printer.simulator import PaperModel, SimulatedPrinter


class Recorder:
    """The real encoder, remembering which contents it was asked for."""

    def __init__(self) -> None:
        self.contents: list[ReceiptContent] = []

    def __call__(self, content: ReceiptContent) -> bytes:
        self.contents.append(content)
        return encode_receipt(content, 576, "TM-T20II")


def _jobs(
    tmp_path: Path, paper_mm: float = 20_000.0
) -> tuple[PrintJobs, SimulatedPrinter, Recorder]:
    printer = SimulatedPrinter(PaperModel(paper_mm=paper_mm))
    printer.open()
    recorder = Recorder()
    jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), recorder)
    return jobs, printer, recorder


def test_a_finished_job_is_never_printed_again(tmp_path: Path) -> None:
    jobs, printer, recorder = _jobs(tmp_path)
    assert jobs.print("job-1", sample_content()) is JobOutcome.PRINTED
    assert jobs.print("job-1", sample_content()) is JobOutcome.ALREADY_PRINTED
    assert printer.model.cuts == 1
    assert len(recorder.contents) == 1
    reopened = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), recorder)
    assert reopened.print("job-1", sample_content()) is JobOutcome.ALREADY_PRINTED
    assert reopened.resume() == []


def test_paper_out_mid_job_prints_the_receipt_once_more_when_paper_is_back(
    tmp_path: Path,
) -> None:
    jobs, printer, recorder = _jobs(tmp_path, paper_mm=240.0)  # room for one and a half
    jobs.print("job-1", sample_content())
    with pytest.raises(PaperOut):
        jobs.print("job-2", sample_content())
    record = jobs.journal.get("job-2")
    assert record is not None
    assert record.state is JobState.STOPPED
    assert [r.job_id for r in jobs.pending()] == ["job-2"]  # job-1 finished: never again
    assert printer.model.cuts == 1
    assert len(recorder.contents) == 2


def test_resume_waits_for_paper_then_prints_only_the_unfinished_job(tmp_path: Path) -> None:
    jobs, printer, recorder = _jobs(tmp_path, paper_mm=240.0)
    jobs.print("job-1", sample_content())
    with pytest.raises(PaperOut):
        jobs.print("job-2", sample_content())
    with pytest.raises(PaperOut):
        jobs.resume()
    printer.model.load_paper(20_000.0)
    before = len(printer.model.printed)
    assert jobs.resume() == ["job-2"]
    assert jobs.resume() == []
    assert printer.model.cuts == 2
    reprint = decode(bytes(printer.model.printed[before:]))
    assert len(reprint.receipts) == 1
    assert [c.duplicate for c in recorder.contents] == [False, False, False]


def test_a_job_refused_before_starting_waits_without_counting_an_attempt(tmp_path: Path) -> None:
    jobs, printer, _ = _jobs(tmp_path)
    printer.model.cover_open = True
    with pytest.raises(CoverOpen):
        jobs.print("job-1", sample_content())
    record = jobs.journal.get("job-1")
    assert record is not None
    assert record.state is JobState.WAITING
    assert record.attempts == 0
    printer.model.cover_open = False
    assert jobs.resume() == ["job-1"]
    assert printer.model.cuts == 1


def test_power_cut_of_the_kiosk_mid_job_reprints_a_duplicate(tmp_path: Path) -> None:
    journal = JobJournal(tmp_path / "jobs.json")
    journal.put(
        JobRecord(job_id="job-9", state=JobState.PRINTING, content=sample_content(), attempts=1)
    )
    # The kiosk restarts: a new process reads the journal.
    jobs, _printer, recorder = _jobs(tmp_path)
    assert jobs.recover() == ["job-9"]
    assert jobs.resume() == ["job-9"]
    assert recorder.contents[-1].duplicate is True
    record = jobs.journal.get("job-9")
    assert record is not None
    assert record.state is JobState.DONE
    assert record.attempts == 2


def test_printer_lost_mid_job_reprints_a_duplicate_when_it_is_back(tmp_path: Path) -> None:
    jobs, printer, recorder = _jobs(tmp_path)

    def unplug_while_sending(data: bytes, timeout: float = 10.0) -> None:
        printer.plugged = False
        raise DeviceUnavailable("connection lost while sending")

    real_send = printer.send
    printer.send = unplug_while_sending  # type: ignore[method-assign]
    with pytest.raises(DeviceUnavailable):
        jobs.print("job-1", sample_content())
    printer.send = real_send  # type: ignore[method-assign]
    with pytest.raises(DeviceUnavailable):
        jobs.resume()  # still unplugged
    printer.plugged = True
    assert jobs.resume() == ["job-1"]
    assert [c.duplicate for c in recorder.contents] == [False, True]


def test_journal_keeps_a_bounded_number_of_finished_jobs(tmp_path: Path) -> None:
    journal = JobJournal(tmp_path / "jobs.json", keep_done=3)
    for i in range(6):
        journal.put(JobRecord(job_id=f"j{i}", state=JobState.DONE, content=sample_content()))
    journal.put(JobRecord(job_id="open", state=JobState.STOPPED, content=sample_content()))
    again = JobJournal(tmp_path / "jobs.json", keep_done=3)
    assert [r.job_id for r in again.unfinished()] == ["open"]
    assert again.get("j5") is not None
    assert again.get("j0") is None


def test_an_unreadable_journal_is_moved_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    path.write_text("{not json", encoding="utf-8")
    journal = JobJournal(path)
    assert journal.unfinished() == []
    assert (tmp_path / "jobs.corrupt").read_text(encoding="utf-8") == "{not json"
    journal.put(JobRecord(job_id="a", state=JobState.WAITING, content=sample_content()))
    assert JobJournal(path).get("a") is not None


def test_paper_out_reported_late_by_the_mechanism_is_still_caught(tmp_path: Path) -> None:
    jobs, printer, _ = _jobs(tmp_path)
    jobs.settle_s = 0.5
    jobs.poll_s = 0.02
    polls = {"n": 0}
    real_status = printer.status

    def late_status(timeout: float = 1.0) -> PrinterStatus:
        polls["n"] += 1
        if polls["n"] == 4:  # the third poll after sending: the roll ran out meanwhile
            printer.model.paper_mm = 0.0
        return real_status(timeout)

    printer.status = late_status  # type: ignore[method-assign]
    with pytest.raises(PaperOut):
        jobs.print("job-1", sample_content())
    record = jobs.journal.get("job-1")
    assert record is not None
    assert record.state is JobState.STOPPED


def test_without_a_problem_settling_ends_at_its_deadline(tmp_path: Path) -> None:
    import time

    jobs, _, _ = _jobs(tmp_path)
    jobs.settle_s = 0.15
    jobs.poll_s = 0.02
    started = time.monotonic()
    jobs.print("job-1", sample_content())
    assert 0.15 <= time.monotonic() - started < 1.0
