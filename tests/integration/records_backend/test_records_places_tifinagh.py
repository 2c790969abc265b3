"""Places in both scripts and names in Tifinagh, end to end on SQLite and PostgreSQL: keyed
through the API (edge validation, double keying), searched, exported and imported, migrated
onto older rows, and printed on the French half of documents."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text

from records_backend.audit.log import Actor
from records_backend.db.engine import make_engine
from records_backend.db.migrate import upgrade
from records_backend.db.models import Act, DocRequest
from records_backend.documents.keyring import Signer
from records_backend.documents.payload import DocumentClaims
from records_backend.documents.render import document_view, render_pdf
from records_backend.domain.names import normalize_tifinagh
from records_backend.domain.roles import Role
from records_backend.exchange.jsonl import export, import_file
from records_backend.services.offices import ensure_offices, office_id
from records_backend.web.services.documents import content_for
from tests.integration.records_backend.records_helpers import Headers, Json, Staff, app_state
from tests.pg_databases import throwaway_database

pytestmark = pytest.mark.integration

AMAZIGH: Json = {
    "number": 200,
    "given_name_ar": "يوبا",
    "family_name_ar": "أمزيان",
    "given_name_lat": "Youba",
    "family_name_lat": "Amezian",
    "given_name_tfng": "ⵢⵓⴱⴰ",
    "family_name_tfng": "ⴰⵎⵣⵢⴰⵏ",
    "event_date": "2001-04-02",
    "event_date_hijri": "1422-01-08",
    "event_place": "مكناس",
    "event_place_lat": "Meknès",
    "father_name_ar": "موحا أمزيان",
    "father_name_lat": "Moha Amezian",
    "father_birth_date": "1970-01-01",
    "father_birth_place": "الحاجب",
    "father_birth_place_lat": "El Hajeb",
    "mother_name_ar": "إيطو",
    "mother_name_lat": "Itto",
    "mother_birth_date": "1975-01-01",
    "mother_birth_place": "آزرو",
    "mother_birth_place_lat": "Azrou",
    "drawn_up_date": "2001-04-05",
    "drawn_up_date_hijri": "1422-01-11",
}


def _search(client: TestClient, headers: Headers, **params: object) -> list[str]:
    r = client.get("/api/v1/acts/search", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [h["reference"] for h in r.json()["items"]]


def test_an_act_is_found_by_its_tifinagh_name(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> None:
    act = registered_act(**AMAZIGH)
    registered_act()  # محمد العلوي / Mohamed El Alaoui: no Tifinagh name
    registered_act(number=201, given_name_tfng="ⵎⴰⵙⵉⵏ", family_name_tfng="ⴰⵎⵣⵢⴰⵏ")
    reader = staff.make("reader", [Role.OFFICER], ["MK01"])
    ref = act["reference"]
    fields = client.get(f"/api/v1/acts/{act['id']}", headers=reader).json()["fields"]
    assert (fields["given_name_tfng"], fields["family_name_tfng"]) == ("ⵢⵓⴱⴰ", "ⴰⵎⵣⵢⴰⵏ")
    assert fields["event_place_lat"] == "Meknès"
    assert fields["mother_birth_place_lat"] == "Azrou"

    assert _search(client, reader, family="ⴰⵎⵣⵢⴰⵏ", given="ⵢⵓⴱⴰ") == [ref]
    assert _search(client, reader, family="ⴰⵎ-ⵣⵢⴰⵏ", given="ⵢⵓ") == [ref]  # spacing, prefix
    assert _search(client, reader, family="ⴰⵎⵣⵣⵢⴰⵏ", given="ⵢⵓⴱⴱⴰ") == [ref]  # geminates
    assert _search(client, reader, family="ⴰⵎⵣⵢⴰⵏ", given="ⵢⵓⴱⴰ", birth_date="2001-04-02") == [ref]
    assert _search(client, reader, family="ⴰⵎⵣⵢⴰⵏ", given="ⵢⵓⴱⴰ", birth_date="2001-04-03") == []
    assert len(_search(client, reader, family="ⴰⵎⵣⵢⴰⵏ")) == 2
    assert _search(client, reader, family="ⴰⵍⵄⵍⴰⵡⵉ") == []
    # The other scripts still find it.
    assert _search(client, reader, family="Amezian", given="Youba") == [ref]
    assert _search(client, reader, family="أمزيان", given="يوبا") == [ref]


def test_a_tifinagh_search_reads_the_tifinagh_name_index(client: TestClient) -> None:
    from records_backend.services.search import NameQuery, build_query, order_of

    engine = app_state(client).engine
    q = NameQuery(family="ⴰⵎⵣⵢⴰⵏ", given="ⵢⵓ")
    stmt = build_query(q).order_by(*order_of(q)).limit(21)
    sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            plan = " ".join(str(row[-1]) for row in rows)
            assert "TEMP B-TREE" not in plan  # index order: no sort before the page is cut
        else:
            # An empty table is scanned whatever the indexes: forbid that, then see which
            # index the planner can use (the partial one, proved by the key equality).
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(row[0]) for row in conn.execute(text(f"EXPLAIN {sql}")))
    assert "ix_acts_names_tfng" in plan, plan


def _draft(client: TestClient, headers: Headers, fields: Json) -> Json:
    r = client.post(
        "/api/v1/acts",
        headers=headers,
        json={"office": "MK01", "kind": "birth", "source": "register_page", "fields": fields},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_double_keying_compares_latin_places_and_tifinagh_names(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    two = staff.make("o2", [Role.OFFICER], ["MK01"])
    agreeing = _draft(client, one, birth_fields(**AMAZIGH))
    second = birth_fields(
        **{**AMAZIGH, "event_place_lat": "MEKNES", "mother_birth_place_lat": "azrou"}
    )
    r = client.post(f"/api/v1/acts/{agreeing['id']}/second-keying", headers=two, json=second)
    assert r.json()["status"] == "registered", r.text
    assert r.json()["fields"]["event_place_lat"] == "Meknès"  # the first keying's text

    first = birth_fields(**{**AMAZIGH, "number": 300})
    draft = _draft(client, one, first)
    other = {**first, "event_place_lat": "Fès", "family_name_tfng": "ⴰⵎⵣⴰⵏ"}
    r = client.post(f"/api/v1/acts/{draft['id']}/second-keying", headers=two, json=other)
    assert r.json()["mismatches"] == ["family_name_tfng", "event_place_lat"]
    view = client.get(f"/api/v1/acts/{draft['id']}/mismatches", headers=two).json()
    assert view["event_place_lat"] == {"first": "Meknès", "second": "Fès"}
    assert view["family_name_tfng"] == {"first": "ⴰⵎⵣⵢⴰⵏ", "second": "ⴰⵎⵣⴰⵏ"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_name_tfng": "Youba"}, "given_name_tfng"),
        ({"family_name_tfng": "أمزيان"}, "family_name_tfng"),
        ({"event_place_lat": "مكناس"}, "event_place_lat"),
        ({"father_birth_place_lat": "ⴰⵣⵔⵓ"}, "father_birth_place_lat"),
    ],
)
def test_the_api_refuses_a_wrong_script(
    client: TestClient,
    staff: Staff,
    birth_fields: Callable[..., Json],
    overrides: Json,
    field: str,
) -> None:
    one = staff.make("o1", [Role.OFFICER], ["MK01"])
    r = client.post(
        "/api/v1/acts",
        headers=one,
        json={
            "office": "MK01",
            "kind": "birth",
            "source": "register_page",
            "fields": birth_fields(**{**AMAZIGH, **overrides}),
        },
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()


def test_export_version_2_round_trips_and_version_1_still_imports(
    client: TestClient,
    staff: Staff,
    registered_act: Callable[..., Json],
    db_url: str,
    tmp_path: Path,
) -> None:
    amazigh = registered_act(**AMAZIGH)
    registered_act()
    state = app_state(client)
    out = tmp_path / "acts.jsonl"
    with state.sessions() as session, out.open("w", encoding="utf-8") as fh:
        assert export(session, fh, Actor("system:test")) == 2
        session.commit()
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["version"] == 2
    exported = next(a for a in lines[1:-1] if a["reference"] == amazigh["reference"])
    assert exported["fields"]["event_place_lat"] == "Meknès"
    assert exported["fields"]["given_name_tfng"] == "ⵢⵓⴱⴰ"

    # A version 1 file, as an older Sijill wrote it: no Latin places.
    v1 = tmp_path / "v1.jsonl"
    old_lines = [{**lines[0], "version": 1}]
    for act in lines[1:-1]:
        fields = {k: v for k, v in act["fields"].items() if not k.endswith("_place_lat")}
        old_lines.append({**act, "fields": fields})
    old_lines.append(lines[-1])
    v1.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in old_lines))

    def empty_registry() -> None:
        engine = make_engine(db_url)
        with engine.begin() as conn:
            for table in ("act_keyings", "act_events", "marginal_notes", "acts", "registers"):
                conn.execute(text(f"DELETE FROM {table}"))
        engine.dispose()

    reader = staff.make("reader", [Role.OFFICER], ["MK01"])
    for path, place in ((out, "Meknès"), (v1, None)):
        empty_registry()
        with state.sessions() as session:
            report = import_file(session, path, Actor("system:test"))
        assert (report.inserted, report.errors) == (2, []), path
        # Imported acts get their Tifinagh search keys too.
        assert _search(client, reader, family="ⴰⵎⵣⵢⴰⵏ", given="ⵢⵓⴱⴰ") == [amazigh["reference"]]
        with state.sessions() as session:
            act = session.scalar(select(Act).where(Act.number == AMAZIGH["number"]))
            assert act is not None
            assert act.event_place_lat == place
            assert act.family_key_tfng == normalize_tifinagh("ⴰⵎⵣⵢⴰⵏ")


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each engine, for migrating step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    with throwaway_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


def _insert_old_act(engine: Engine, number: int, tfng: tuple[str, str] | None) -> None:
    """An act as revision 0005 stored it (no Latin place, no Tifinagh key)."""
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        ensure_offices(session)
        mk01 = office_id(session, "MK01")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO registers (office_id, year, kind, last_number) "
                "SELECT :o, 2001, 'birth', 0 WHERE NOT EXISTS "
                "(SELECT 1 FROM registers WHERE office_id = :o AND year = 2001)"
            ),
            {"o": mk01},
        )
        reg = conn.execute(text("SELECT id FROM registers WHERE office_id = :o"), {"o": mk01})
        conn.execute(
            text(
                "INSERT INTO acts (office_id, register_id, year, kind, number, status, "
                "given_name_ar, family_name_ar, given_name_lat, family_name_lat, "
                "given_name_tfng, family_name_tfng, sex, event_date, event_place, "
                "nationality, officer_name, drawn_up_date, source_kind, given_key_ar, "
                "family_key_ar, given_key_lat, family_key_lat, created_at) VALUES "
                "(:o, :r, 2001, 'birth', :n, 'registered', 'يوبا', 'أمزيان', 'Youba', "
                "'Amezian', :gt, :ft, 'M', '2001-04-02', 'مكناس', 'marocaine', 'x', "
                "'2001-04-05', 'register_page', 'يوبا', 'امزيان', 'yb', 'mzn', "
                "'2026-01-01 00:00:00')"
            ),
            {
                "o": mk01,
                "r": reg.scalar_one(),
                "n": number,
                "gt": tfng[0] if tfng else None,
                "ft": tfng[1] if tfng else None,
            },
        )


def test_migration_0006_keeps_old_acts_and_keys_their_tifinagh_names(blank_url: str) -> None:
    engine = make_engine(blank_url)
    try:
        upgrade(engine, "0005")
        _insert_old_act(engine, 1, ("ⵢⵓⴱⴰ", "ⴰⵎⵣⵢⴰⵏ"))
        _insert_old_act(engine, 2, None)
        upgrade(engine, "0006")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT number, event_place, event_place_lat, father_birth_place_lat, "
                    "given_key_tfng, family_key_tfng FROM acts ORDER BY number"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, "مكناس", None, None, normalize_tifinagh("ⵢⵓⴱⴰ"), normalize_tifinagh("ⴰⵎⵣⵢⴰⵏ")),
            (2, "مكناس", None, None, None, None),
        ]
        # And back: 0005's columns only, the acts kept.
        from alembic import command

        from records_backend.db.migrate import alembic_config

        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        columns = {c["name"] for c in inspect(engine).get_columns("acts")}
        assert "event_place_lat" not in columns
        assert "given_key_tfng" not in columns
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM acts")).scalar_one() == 2
        upgrade(engine)
    finally:
        engine.dispose()


_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _document_text(client: TestClient, act_id: int, out: Path) -> tuple[str, str]:
    """(French place, Arabic place) on an extract of the act, and its text as printed."""
    state = app_state(client)
    with state.sessions() as session:
        act = session.get(Act, act_id)
        assert act is not None
        mk01 = office_id(session, "MK01")
        assert mk01 is not None
        # Only what content_for reads of a request: its document, office, number and fee.
        req = DocRequest(id=act_id, document="extract", pickup_office_id=mk01, fee_due_dirhams=2)
        content = content_for(session, req, act, "نادية التازي", date(2026, 11, 25))
    signer = Signer(_KEY)
    signed = signer.sign(DocumentClaims.from_content(content, signer.kid))
    out.write_bytes(render_pdf(document_view(content, signed)))
    printed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(out), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    return content.birth_place.fr, printed


def test_the_french_half_shows_the_latin_place_else_the_arabic_one(
    client: TestClient, registered_act: Callable[..., Json], tmp_path: Path
) -> None:
    with_latin = registered_act(
        **{**AMAZIGH, "event_place": "المشور الستينية", "event_place_lat": "Méchouar Stinia"}
    )
    arabic_only = registered_act(**{**AMAZIGH, "number": 201, "event_place_lat": None})
    french, printed = _document_text(client, with_latin["id"], tmp_path / "latin.pdf")
    assert french == "Méchouar Stinia"
    # The label wraps ("Lieu de / naissance"): its first line carries the value.
    line = next(x for x in printed.splitlines() if "Lieu de" in x)
    assert "Méchouar Stinia" in line
    french, printed = _document_text(client, arabic_only["id"], tmp_path / "arabic.pdf")
    assert french == "مكناس"
    assert "Méchouar" not in printed


def test_a_draft_matching_only_in_tifinagh_is_a_possible_duplicate(
    client: TestClient,
    staff: Staff,
    registered_act: Callable[..., Json],
    birth_fields: Callable[..., Json],
) -> None:
    first = registered_act(**AMAZIGH)
    one = staff.login("keyer.one")
    # Keyed again from another register with other Arabic and Latin spellings.
    again = birth_fields(
        **{
            **AMAZIGH,
            "number": 400,
            "given_name_ar": "جوبا",
            "family_name_ar": "مزيان",
            "given_name_lat": "Juba",
            "family_name_lat": "Mezziane",
        }
    )
    draft = _draft(client, one, again)
    assert draft["possible_duplicates"] == [first["id"]]
    side = client.get(f"/api/v1/acts/{draft['id']}/duplicates", headers=one).json()
    reasons = set(side["candidates"][0]["reasons"])
    assert "names_tfng" in reasons
    assert not reasons & {"names_ar", "names_lat"}
    unrelated = _draft(
        client,
        one,
        birth_fields(
            **{
                **again,
                "number": 401,
                "given_name_ar": "ماسين",
                "given_name_lat": "Massin",
                "given_name_tfng": "ⵎⴰⵙⵉⵏ",
            }
        ),
    )
    assert unrelated["possible_duplicates"] == []
