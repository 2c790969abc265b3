"""Act lifecycle: blind double keying, mismatches, registration, notes and history."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from records_backend.domain.roles import Role
from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import Json, Staff

pytestmark = pytest.mark.integration


def _draft(
    client: TestClient,
    headers: dict[str, str],
    fields: Json,
    office: str = "MK01",
    kind: str = "birth",
) -> Json:
    r = client.post(
        "/api/v1/acts",
        headers=headers,
        json={"office": office, "kind": kind, "source": "register_page", "fields": fields},
    )
    assert r.status_code == 201, r.text
    return Json(r.json())


def test_two_agreeing_keyings_register_the_act(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    two = staff.make("o2", [Role.OFFICER], ["MK01"])
    draft = _draft(client, one, birth_fields())
    assert draft["status"] == "awaiting_second_keying"
    assert draft["reference"] == "MK01-1990-N-000123"
    # Blind: the second officer sees the draft in the queue but not its content.
    queue = client.get("/api/v1/acts/queue", params={"office": "MK01"}, headers=two).json()
    assert [q["id"] for q in queue] == [draft["id"]]
    assert client.get("/api/v1/acts/queue", params={"office": "MK01"}, headers=one).json() == []
    assert client.get(f"/api/v1/acts/{draft['id']}", headers=two).json()["fields"] is None
    # Spelling variants that normalize the same are agreement, not a mismatch.
    second = birth_fields(family_name_ar="العلوى", given_name_lat="mohamed ", event_place="MEKNES")
    r = client.post(f"/api/v1/acts/{draft['id']}/second-keying", headers=two, json=second)
    assert r.status_code == 200, r.text
    act = r.json()
    assert act["status"] == "registered"
    assert act["fields"]["family_name_ar"] == "العلوي"  # the first keying's text is kept
    got = client.get("/api/v1/acts/by-reference/mk01-1990-n-123", headers=two).json()
    assert got["id"] == draft["id"]


def test_the_same_officer_cannot_key_twice(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    draft = _draft(client, one, birth_fields())
    r = client.post(f"/api/v1/acts/{draft['id']}/second-keying", headers=one, json=birth_fields())
    assert r.status_code == 409
    assert r.json()["code"] == "same_keyer"


def test_mismatches_are_listed_and_resolved(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    two = staff.make("o2", [Role.OFFICER], ["MK01"])
    head = staff.make("head", [Role.OFFICE_HEAD], ["MK01"])
    draft = _draft(client, one, birth_fields())
    r = client.post(
        f"/api/v1/acts/{draft['id']}/second-keying",
        headers=two,
        json=birth_fields(event_date="1990-05-15", mother_name_lat="Fatima Zohra Bent Mohamed"),
    )
    assert r.json()["status"] == "mismatch"
    assert r.json()["mismatches"] == ["event_date", "mother_name_lat"]
    view = client.get(f"/api/v1/acts/{draft['id']}/mismatches", headers=head).json()
    assert view["event_date"] == {"first": "1990-05-14", "second": "1990-05-15"}
    partial = client.post(
        f"/api/v1/acts/{draft['id']}/resolve",
        headers=head,
        json={"values": {"event_date": "1990-05-15"}},
    )
    assert partial.status_code == 422
    assert partial.json()["missing"] == ["mother_name_lat"]
    r = client.post(
        f"/api/v1/acts/{draft['id']}/resolve",
        headers=head,
        json={
            "values": {"event_date": "1990-05-15", "mother_name_lat": "Fatima Zahra Bent Mohamed"}
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "registered"
    assert r.json()["fields"]["event_date"] == "1990-05-15"
    events = [
        e["event"] for e in client.get(f"/api/v1/acts/{draft['id']}/history", headers=head).json()
    ]
    assert events == ["drafted", "second_keying", "resolved", "registered"]
    again = client.post(
        f"/api/v1/acts/{draft['id']}/second-keying", headers=two, json=birth_fields()
    )
    assert again.json()["code"] == "act_not_in_keying"


def test_input_is_validated_at_the_edge(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={
            "office": "MK01",
            "kind": "birth",
            "source": "register_page",
            "fields": birth_fields(
                given_name_ar="Mohamed",
                given_name_lat="محمد",
                event_date_hijri="1410-13-40",
                drawn_up_date="1980-01-01",
            ),
        },
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input"
    fields = {e["field"] for e in body["errors"]}
    assert {"fields.given_name_ar", "fields.given_name_lat", "fields.event_date_hijri"} <= fields
    dup = _draft(client, one, birth_fields())
    assert dup["id"]
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={
            "office": "MK01",
            "kind": "birth",
            "source": "register_page",
            "fields": birth_fields(),
        },
    )
    assert r.json()["code"] == "act_exists"
    # The same number in the deaths register is another act.
    death = birth_fields(drawn_up_date="1990-06-01")
    assert _draft(client, one, death, kind="death")["reference"] == "MK01-1990-D-000123"


def test_office_scope_and_roles_are_enforced(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> None:
    act = registered_act()
    clerk_other = staff.make("clerk.mk02", [Role.CLERK], ["MK02"])
    fleet = staff.make("fleet", [Role.FLEET_OPERATOR], all_offices=True)
    clerk_mk01 = staff.make("clerk.mk01", [Role.CLERK], ["MK01"])
    r = client.get(f"/api/v1/acts/{act['id']}", headers=clerk_other)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_office")
    r = client.get(f"/api/v1/acts/{act['id']}", headers=fleet)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_role")
    assert client.get(f"/api/v1/acts/{act['id']}", headers=clerk_mk01).status_code == 200
    note = {
        "kind": "marriage",
        "note_date": "2015-07-01",
        "authority_kind": "adoul_act",
        "authority_name": "قسم التوثيق بمكناس",
        "authority_reference": "123/2015",
        "text_ar": "تزوج",
        "text_fr": "Marié",
    }
    r = client.post(f"/api/v1/acts/{act['id']}/notes", headers=clerk_mk01, json=note)
    assert r.json()["code"] == "forbidden_role"


def test_rectification_is_a_note_and_history_keeps_everything(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> None:
    act = registered_act()
    one = staff.login("keyer.one")
    two = staff.login("keyer.two")
    correction = {
        "kind": "latin_spelling",
        "note_date": "2020-02-03",
        "authority_kind": "interior_minister",
        "authority_name": "Ministère de l'Intérieur",
        "authority_reference": "AUT-2020-0042",
        "text_ar": "تصحيح كتابة الاسم العائلي بالحروف اللاتينية",
        "text_fr": "Rectification de l'orthographe latine du nom",
        "changes": {"family_name_lat": "Alaoui"},
    }
    # Authority must fit the kind; a Latin-spelling fix changes only Latin names.
    wrong = client.post(
        f"/api/v1/acts/{act['id']}/notes",
        headers=one,
        json={**correction, "authority_kind": "prosecutor"},
    )
    assert wrong.status_code == 422
    wider = client.post(
        f"/api/v1/acts/{act['id']}/notes",
        headers=one,
        json={**correction, "changes": {"family_name_ar": "علوي"}},
    )
    assert wider.status_code == 422
    r = client.post(f"/api/v1/acts/{act['id']}/notes", headers=one, json=correction)
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["validated"] is False
    # Not applied until another officer validates it.
    assert (
        client.get(f"/api/v1/acts/{act['id']}", headers=one).json()["current"]["family_name_lat"]
        == "El Alaoui"
    )
    same = client.post(f"/api/v1/acts/{act['id']}/notes/{note['id']}/validate", headers=one)
    assert same.json()["code"] == "same_validator"
    ok = client.post(f"/api/v1/acts/{act['id']}/notes/{note['id']}/validate", headers=two)
    assert ok.status_code == 200
    after = client.get(f"/api/v1/acts/{act['id']}", headers=one).json()
    assert after["fields"]["family_name_lat"] == "El Alaoui"  # as registered, never edited
    assert after["current"]["family_name_lat"] == "Alaoui"
    assert [n["authority_reference"] for n in after["notes"]] == ["AUT-2020-0042"]
    # The lookup by reference reads the act and its notes in one query: the same answer.
    by_reference = client.get(f"/api/v1/acts/by-reference/{after['reference']}", headers=one)
    assert by_reference.json() == after
    history = client.get(f"/api/v1/acts/{act['id']}/history", headers=one).json()
    assert [e["event"] for e in history] == [
        "drafted",
        "second_keying",
        "registered",
        "note_added",
        "note_validated",
    ]
    twice = client.post(f"/api/v1/acts/{act['id']}/notes/{note['id']}/validate", headers=two)
    assert twice.json()["code"] == "note_validated"


def test_death_registration_notes_the_birth_act(
    client: TestClient,
    staff: Staff,
    registered_act: Callable[..., Json],
    birth_fields: Callable[..., Json],
) -> None:
    birth = registered_act()
    one = staff.login("keyer.one")
    two = staff.login("keyer.two")
    death = birth_fields(
        number=7,
        event_date="2021-03-09",
        event_date_hijri="1442-07-25",
        drawn_up_date="2021-03-10",
        drawn_up_date_hijri="1442-07-26",
        birth_act_reference=birth["reference"],
        event_time="23:50:00",
    )
    d = _draft(client, one, death, kind="death")
    r = client.post(f"/api/v1/acts/{d['id']}/second-keying", headers=two, json=death)
    assert r.json()["status"] == "registered"
    notes = client.get(f"/api/v1/acts/{birth['id']}", headers=one).json()["notes"]
    assert [(n["kind"], n["authority_reference"], n["validated"]) for n in notes] == [
        ("death", "MK01-2021-D-000007", True)
    ]


def test_likely_duplicates_are_shown_and_decided(
    client: TestClient,
    staff: Staff,
    registered_act: Callable[..., Json],
    birth_fields: Callable[..., Json],
) -> None:
    first = registered_act()
    one = staff.login("keyer.one")
    again = birth_fields(
        number=200,
        given_name_lat="Mohammed",
        family_name_lat="Alaoui",
        family_name_ar="العلوى",
        event_date="1990-05-15",
        drawn_up_date="1990-06-02",
        drawn_up_date_hijri=None,
    )
    draft = _draft(client, one, again)
    assert draft["possible_duplicates"] == [first["id"]]
    side = client.get(f"/api/v1/acts/{draft['id']}/duplicates", headers=one).json()
    candidate = side["candidates"][0]
    assert candidate["reference"] == first["reference"]
    assert set(candidate["reasons"]) >= {"names_ar", "names_lat", "date_close", "father", "mother"}
    assert candidate["fields"]["given_name_lat"] == "Mohamed"
    assert side["act"]["given_name_lat"] == "Mohammed"
    other = _draft(
        client, one, birth_fields(number=201, given_name_ar="يوسف", given_name_lat="Youssef")
    )
    assert other["possible_duplicates"] == []
    r = client.post(
        f"/api/v1/acts/{draft['id']}/duplicates/{first['id']}/decision",
        headers=one,
        json={"same_person": True, "note": "même personne, page 42 déjà saisie"},
    )
    assert r.json()["status"] == "withdrawn"
    two = staff.login("keyer.two")
    late = client.post(f"/api/v1/acts/{draft['id']}/second-keying", headers=two, json=again)
    assert late.json()["code"] == "act_not_in_keying"


def test_register_page_scan_is_stored_by_content(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json], settings: RecordsSettings
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    clerk_other = staff.make("clerk.mk02", [Role.CLERK], ["MK02"])
    draft = _draft(client, one, birth_fields())
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    r = client.put(f"/api/v1/acts/{draft['id']}/scan", headers=one, content=png)
    assert r.status_code == 200, r.text
    digest = hashlib.sha256(png).hexdigest()
    assert r.json()["scan_sha256"] == digest
    assert (settings.data_dir / "scans" / digest[:2] / digest).read_bytes() == png
    got = client.get(f"/api/v1/acts/{draft['id']}/scan", headers=one)
    assert got.content == png
    assert got.headers["content-type"] == "image/png"
    bad = client.put(f"/api/v1/acts/{draft['id']}/scan", headers=one, content=b"not an image")
    assert bad.json()["code"] == "scan_invalid"
    assert client.get(f"/api/v1/acts/{draft['id']}/scan", headers=clerk_other).status_code == 403


def test_a_death_registered_elsewhere_sends_a_notice(
    client: TestClient,
    staff: Staff,
    registered_act: Callable[..., Json],
    birth_fields: Callable[..., Json],
) -> None:
    birth = registered_act()
    a = staff.make("mk02.a", [Role.OFFICER], ["MK02"])
    b = staff.make("mk02.b", [Role.OFFICER], ["MK02"])
    death = birth_fields(
        number=3,
        event_date="2022-01-05",
        event_date_hijri=None,
        drawn_up_date="2022-01-06",
        drawn_up_date_hijri=None,
        birth_act_reference=birth["reference"],
    )
    d = _draft(client, a, death, office="MK02", kind="death")
    assert (
        client.post(f"/api/v1/acts/{d['id']}/second-keying", headers=b, json=death).json()["status"]
        == "registered"
    )
    mk01 = staff.login("keyer.one")
    assert client.get(f"/api/v1/acts/{birth['id']}", headers=mk01).json()["notes"] == []
    assert (
        client.get("/api/v1/offices/MK01/notices", headers=a).json()["code"] == "forbidden_office"
    )
    notices = client.get("/api/v1/offices/MK01/notices", headers=mk01).json()
    assert [(n["kind"], n["from_office"], n["target_act_id"]) for n in notices] == [
        ("death_registered", "MK02", birth["id"])
    ]
    done = client.post(f"/api/v1/notices/{notices[0]['id']}/handled", headers=mk01)
    assert done.json()["handled"] is True
    assert client.get("/api/v1/offices/MK01/notices", headers=mk01).json() == []


def test_born_digital_acts_get_a_proposed_hijri_date_the_officer_may_change(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    two = staff.make("o2", [Role.OFFICER], ["MK01"])
    proposal = client.get("/api/v1/acts/hijri", params={"gregorian": "2024-03-15"}, headers=one)
    assert proposal.json()["hijri"] == "1445-09-05"
    fields = birth_fields(
        number=9,
        event_date="2024-03-15",
        drawn_up_date="2024-03-18",
        event_date_hijri=None,
        drawn_up_date_hijri=None,
        source_page=None,
    )
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={"office": "MK01", "kind": "birth", "source": "born_digital", "fields": fields},
    )
    assert r.json()["fields"]["event_date_hijri"] == "1445-09-05"
    second = client.post(f"/api/v1/acts/{r.json()['id']}/second-keying", headers=two, json=fields)
    assert second.json()["status"] == "registered"
    # An officer who keys the local moon-sighting date keeps it, and it is not recomputed.
    adjusted = birth_fields(
        number=10,
        event_date="2024-03-15",
        drawn_up_date="2024-03-18",
        event_date_hijri="1445-09-04",
        drawn_up_date_hijri=None,
        source_page=None,
    )
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={"office": "MK01", "kind": "birth", "source": "born_digital", "fields": adjusted},
    )
    assert r.json()["fields"]["event_date_hijri"] == "1445-09-04"
    # A digitized act without a Hijri date on the page stays without one.
    old = birth_fields(number=11, event_date_hijri=None)
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={"office": "MK01", "kind": "birth", "source": "register_page", "fields": old},
    )
    assert r.json()["fields"]["event_date_hijri"] is None
