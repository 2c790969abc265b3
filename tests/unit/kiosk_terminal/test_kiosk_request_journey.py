# mypy: disable-error-code="comparison-overlap,unreachable"
# (each action changes the step mypy narrowed in the assertion before it)
"""The "request a document" journey, step by step, without a window."""

from __future__ import annotations

import gc
import weakref
from datetime import date
from decimal import Decimal

import pytest

from kiosk_terminal.core.model import (
    ActReference,
    CardKeys,
    DocumentKind,
    IdentifyMethod,
    Lang,
    NameQuery,
    Parents,
    Relation,
)
from kiosk_terminal.core.request import PrinterNotReady, RequestJourney, RequestStep, StepError
from kiosk_terminal.core.session import Screen
from kiosk_terminal.services.ports import PrintFailed
from protocol.qr import ReceiptQr
from tests.unit.kiosk_terminal.kiosk_fakes import NOW, Kit, make_kit

S = RequestStep
BIRTH = date(1990, 3, 4)


def _journey() -> tuple[RequestJourney, Kit]:
    kit, _ = make_kit()
    return RequestJourney(kit.deps, Lang.AR), kit


def test_reference_extract_gives_a_receipt_with_code_qr_fee_and_pickup_day() -> None:
    kit, session = make_kit()
    session.wake()
    session.choose_language(Lang.FR)
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    assert journey.step is S.DOCUMENT
    assert journey.act_label == "MK07-1990-N-000412"
    journey.choose_document(DocumentKind.EXTRACT, copies=2)
    assert journey.step is S.REQUESTER
    journey.requester("  Amina   Alaoui ")
    assert journey.step is S.CONFIRM
    assert journey.fee == 4
    journey.confirm()
    assert journey.busy
    assert journey.run_submission() is S.DONE
    job_id, receipt = kit.devices.printed[0]
    assert job_id == "key-1"
    assert receipt.fee == Decimal(4)
    assert receipt.copies == 2
    assert not receipt.pending
    assert receipt.pickup_date == date(2026, 11, 26)
    qr = ReceiptQr.parse(receipt.qr_payload)
    assert qr.code == receipt.code
    submitted, code, secret = kit.backend.requests["key-1"]
    assert (code, secret) == (qr.code, qr.secret)
    assert submitted.language is Lang.FR
    assert submitted.act_reference == "MK07-1990-N-000412"
    assert submitted.event_date == BIRTH
    assert submitted.requester_name == "Amina Alaoui"


def test_full_copy_needs_an_allowed_relation() -> None:
    journey, _ = _journey()
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.FULL_COPY)
    assert journey.step is S.RELATION
    journey.choose_relation(Relation.OTHER)
    assert journey.step is S.RELATION_REFUSED
    assert journey.reason == "full_copy_not_allowed"
    journey.choose_document(DocumentKind.FULL_COPY)
    journey.choose_relation(Relation.PARENT)
    assert journey.step is S.REQUESTER
    with pytest.raises(ValueError, match="too short"):
        journey.requester(" x ")
    journey.requester("Ahmed Alaoui")
    assert journey.step is S.CONFIRM
    assert journey.relation is Relation.PARENT
    journey.back()
    assert journey.step is S.RELATION


def test_full_copy_waits_two_working_days_over_the_weekend() -> None:
    kit, _ = make_kit()
    journey = RequestJourney(kit.deps, Lang.AR)
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.FULL_COPY)
    journey.choose_relation(Relation.SELF)
    journey.requester("Amina Alaoui")
    journey.confirm()
    journey.run_submission()
    receipt = kit.devices.printed[0][1]
    assert receipt.pickup_date == date(2026, 11, 27)  # Wednesday + 2 working days = Friday
    assert kit.backend.requests["key-1"][0].relation is Relation.SELF


def test_names_with_several_matches_ask_for_the_parents_then_forget_the_names() -> None:
    journey, _kit = _journey()
    journey.choose_method(IdentifyMethod.NAME)
    journey.name(NameQuery("salma", "BENNANI", date(1988, 7, 1)))
    assert journey.step is S.PARENTS
    assert journey.holds_personal_data
    journey.parents(Parents("Hassan", "Zineb"))
    assert journey.step is S.DOCUMENT
    assert journey.act_reference == "MK03-1988-N-001203"
    assert journey.event_date == date(1988, 7, 1)
    assert not journey.holds_personal_data


def test_names_still_ambiguous_or_unknown_end_at_not_found() -> None:
    journey, _ = _journey()
    journey.choose_method(IdentifyMethod.NAME)
    journey.name(NameQuery("Nobody", "Atall", date(2000, 1, 1)))
    assert journey.step is S.NOT_FOUND
    assert journey.reason == "no_match"
    journey.back()
    assert journey.step is S.METHOD
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1999, 1), BIRTH)
    assert journey.step is S.NOT_FOUND


def test_card_holder_asking_for_an_extract_is_not_asked_their_name() -> None:
    journey, kit = _journey()
    journey.choose_method(IdentifyMethod.CARD)
    journey.card_inserted()
    journey.card_keys(CardKeys("AB123456", date(1990, 3, 4), date(2030, 1, 1)))
    journey.choose_document(DocumentKind.EXTRACT)
    assert journey.step is S.CONFIRM
    journey.confirm()
    journey.run_submission()
    submitted = kit.backend.requests["key-1"][0]
    assert submitted.requester_name == "Yassine Alaoui"
    assert submitted.relation is Relation.SELF
    assert submitted.event_date == date(1990, 3, 4)
    assert "AB123456" not in repr(submitted)


def test_card_journey_reads_the_chip_and_finds_the_holders_act() -> None:
    journey, kit = _journey()
    journey.choose_method(IdentifyMethod.CARD)
    assert journey.step is S.CARD_INSERT
    journey.card_inserted()
    assert journey.step is S.CARD_KEYS
    journey.card_removed()
    assert journey.step is S.CARD_INSERT
    journey.card_inserted()
    journey.card_keys(CardKeys("AB123456", date(1990, 3, 4), date(2030, 1, 1)))
    assert journey.step is S.DOCUMENT
    assert journey.act_reference == "MK07-1990-N-000412"
    query = kit.backend.queries[-1]
    assert isinstance(query, NameQuery)
    assert query.document_number == "AB123456"
    assert not journey.holds_personal_data


def test_card_refusing_the_keys_says_so() -> None:
    journey, kit = _journey()
    kit.devices.card_error = "keys"
    journey.choose_method(IdentifyMethod.CARD)
    journey.card_inserted()
    journey.card_keys(CardKeys("XX000000", date(1990, 3, 4), date(2030, 1, 1)))
    assert journey.step is S.CARD_FAILED
    assert journey.reason == "keys"


def test_backend_down_reference_is_accepted_offline_with_a_pending_receipt() -> None:
    journey, kit = _journey()
    kit.backend.online = False
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 2001, 55), BIRTH)
    assert journey.step is S.DOCUMENT
    assert journey.offline
    journey.choose_document(DocumentKind.EXTRACT)
    journey.requester("Amina Alaoui")
    journey.confirm()
    assert journey.run_submission() is S.DONE
    receipt = kit.devices.printed[0][1]
    assert receipt.pending


def test_backend_down_blocks_name_search_and_online_identified_submissions() -> None:
    journey, kit = _journey()
    kit.backend.online = False
    journey.choose_method(IdentifyMethod.NAME)
    journey.name(NameQuery("Yassine", "Alaoui", date(1990, 3, 4)))
    assert journey.step is S.UNAVAILABLE
    assert not journey.holds_personal_data

    journey2, kit2 = _journey()
    journey2.choose_method(IdentifyMethod.NAME)
    journey2.name(NameQuery("Yassine", "Alaoui", date(1990, 3, 4)))
    journey2.choose_document(DocumentKind.EXTRACT)
    journey2.requester("Amina Alaoui")
    journey2.confirm()
    kit2.backend.online = False
    assert journey2.run_submission() is S.UNAVAILABLE
    assert kit2.devices.printed == []


def test_rejected_submission_prints_nothing() -> None:
    journey, kit = _journey()
    kit.backend.reject_reason = "act_sealed"
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.EXTRACT)
    journey.requester("Amina Alaoui")
    journey.confirm()
    assert journey.run_submission() is S.REJECTED
    assert journey.reason == "act_sealed"
    assert kit.devices.printed == []


def test_confirm_refused_when_the_printer_cannot_print() -> None:
    journey, kit = _journey()
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.EXTRACT)
    journey.requester("Amina Alaoui")
    kit.devices.ready = False
    with pytest.raises(PrinterNotReady):
        journey.confirm()
    assert journey.step is S.CONFIRM
    assert kit.backend.requests == {}


def test_paper_out_during_the_receipt_is_reported_as_kept() -> None:
    journey, kit = _journey()
    kit.devices.fail_print = PrintFailed("paper out", kept=True)
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.EXTRACT)
    journey.requester("Amina Alaoui")
    journey.confirm()
    assert journey.run_submission() is S.PRINT_FAILED
    assert journey.reason == "printer_kept"
    assert journey.accepted is not None  # the request exists: its receipt follows


def test_actions_out_of_order_are_refused() -> None:
    journey, _ = _journey()
    with pytest.raises(StepError):
        journey.confirm()
    with pytest.raises(StepError):
        journey.choose_document(DocumentKind.EXTRACT)
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    with pytest.raises(ValueError, match="copies"):
        journey.choose_document(DocumentKind.EXTRACT, copies=11)


def test_session_refuses_requests_while_the_printer_is_down() -> None:
    kit, session = make_kit()
    kit.devices.ready = False
    session.wake()
    session.choose_language(Lang.AR)
    session.start_request()
    assert session.screen is Screen.OUT_OF_SERVICE
    assert session.journey is None
    session.start_guide()
    assert session.screen is Screen.GUIDE  # the guide still works


def test_printer_fault_mid_journey_drops_it_and_recovery_returns_to_attract() -> None:
    _kit, session = make_kit()
    session.wake()
    session.choose_language(Lang.AR)
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.choose_method(IdentifyMethod.NAME)
    journey.name(NameQuery("salma", "bennani", date(1988, 7, 1)))
    ref = weakref.ref(journey)
    del journey
    session.printer_changed(False)
    assert session.screen is Screen.OUT_OF_SERVICE
    assert session.journey is None
    gc.collect()
    assert ref() is None
    session.printer_changed(True)
    assert session.screen is Screen.ATTRACT


def test_receipt_issued_time_is_the_kiosk_clock() -> None:
    journey, kit = _journey()
    journey.choose_method(IdentifyMethod.REFERENCE)
    journey.reference(ActReference("MK07", 1990, 412), BIRTH)
    journey.choose_document(DocumentKind.INDIVIDUAL_SHEET, copies=3)
    journey.requester("Amina Alaoui")
    journey.confirm()
    journey.run_submission()
    receipt = kit.devices.printed[0][1]
    assert receipt.issued_at == NOW
    assert receipt.fee == Decimal(6)
