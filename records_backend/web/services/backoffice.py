"""Back-office helpers: the act form's fields, scans kept by content, office work lists."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.db.models import Act
from records_backend.domain.acts import ActFields, ActStatus
from records_backend.domain.roles import Permission
from records_backend.services.principal import Principal


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str  # text | date | time | number | sex
    arabic: bool = False
    required: bool = False


#: The fields the officer keys, in the order of the paper act.
ACT_FORM: tuple[FieldSpec, ...] = (
    FieldSpec("number", "number", required=True),
    FieldSpec("source_page", "number"),
    FieldSpec("given_name_ar", "text", arabic=True, required=True),
    FieldSpec("family_name_ar", "text", arabic=True, required=True),
    FieldSpec("given_name_lat", "text", required=True),
    FieldSpec("family_name_lat", "text", required=True),
    FieldSpec("given_name_tfng", "text"),
    FieldSpec("family_name_tfng", "text"),
    FieldSpec("sex", "sex", required=True),
    FieldSpec("event_date", "date", required=True),
    FieldSpec("event_date_hijri", "text"),
    FieldSpec("event_time", "time"),
    FieldSpec("event_place", "text", arabic=True, required=True),
    FieldSpec("event_place_lat", "text"),
    FieldSpec("father_name_ar", "text", arabic=True),
    FieldSpec("father_name_lat", "text"),
    FieldSpec("father_birth_date", "date"),
    FieldSpec("father_birth_place", "text", arabic=True),
    FieldSpec("father_birth_place_lat", "text"),
    FieldSpec("father_occupation", "text", arabic=True),
    FieldSpec("father_address", "text", arabic=True),
    FieldSpec("mother_name_ar", "text", arabic=True),
    FieldSpec("mother_name_lat", "text"),
    FieldSpec("mother_birth_date", "date"),
    FieldSpec("mother_birth_place", "text", arabic=True),
    FieldSpec("mother_birth_place_lat", "text"),
    FieldSpec("mother_occupation", "text", arabic=True),
    FieldSpec("mother_address", "text", arabic=True),
    FieldSpec("nationality", "text", arabic=True),
    FieldSpec("declarant_name", "text", arabic=True),
    FieldSpec("declarant_relation", "text", arabic=True),
    FieldSpec("judgment_court", "text", arabic=True),
    FieldSpec("judgment_number", "text"),
    FieldSpec("judgment_date", "date"),
    FieldSpec("officer_name", "text", arabic=True, required=True),
    FieldSpec("drawn_up_date", "date", required=True),
    FieldSpec("drawn_up_date_hijri", "text"),
    FieldSpec("birth_act_reference", "text"),
)
FIELD_NAMES = tuple(f.name for f in ACT_FORM)


def fields_from_form(values: dict[str, str]) -> tuple[ActFields | None, list[str]]:
    """The keyed act, or the names of the fields that are wrong (with pydantic's reason)."""
    data: dict[str, Any] = {}
    for spec in ACT_FORM:
        value = values.get(spec.name, "").strip()
        if value:
            data[spec.name] = value
    try:
        return ActFields.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err.get("loc", ())) or "act"
            problems.append(f"{where}: {err.get('msg', '')}")
        return None, problems


def form_values(fields: ActFields) -> dict[str, str]:
    data = fields.model_dump(mode="json")
    return {k: "" if data.get(k) is None else str(data[k]) for k in FIELD_NAMES}


_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
#: What a register page scan may be: the formats browsers show by themselves.
SCAN_TYPES = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}
MAX_SCAN_BYTES = 8 * 1024 * 1024


def scan_kind(data: bytes) -> str | None:
    for magic, kind in SCAN_TYPES.items():
        if data.startswith(magic):
            return kind
    return None


def store_scan(directory: Path, data: bytes) -> str:
    """Content-addressed: the file's name is its SHA-256, so a scan is never overwritten."""
    digest = hashlib.sha256(data).hexdigest()
    path = directory / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return digest


def scan_path(directory: Path, digest: str) -> Path | None:
    if not _SHA_RE.fullmatch(digest):
        return None
    path = directory / digest[:2] / digest
    return path if path.exists() else None


def scan_visible_to(session: Session, by: Principal, digest: str) -> bool:
    """A scan is shown to staff who may read acts of an office holding an act with it."""
    if Permission.ACTS_READ not in by.permissions:
        return False
    offices = session.scalars(select(Act.office_id).where(Act.scan_sha256 == digest)).all()
    return any(by.can_see_office(o) for o in offices)


def mismatched_acts(session: Session, by: Principal, office_id: int) -> list[Act]:
    by.require(Permission.ACTS_KEY)
    by.require_office(office_id)
    return list(
        session.scalars(
            select(Act)
            .where(Act.office_id == office_id, Act.status == ActStatus.MISMATCH.value)
            .order_by(Act.id)
            .limit(200)
        )
    )
