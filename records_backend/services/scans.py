"""Register page scans, stored content-addressed (``scans/ab/abcdef…``) in the data directory."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import Act, ActEvent
from records_backend.db.types import utcnow
from records_backend.domain.acts import ActStatus
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission
from records_backend.services.acts import load_act
from records_backend.services.offices import office_code
from records_backend.services.principal import Principal

MAX_SCAN_BYTES = 15 * 1024 * 1024
#: Leading bytes of the accepted formats: PNG, JPEG, TIFF (both byte orders), PDF.
MAGIC: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"%PDF-": "application/pdf",
}


def media_type(data: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC.items() if data.startswith(magic)), None)


def path_for(data_dir: Path, digest: str) -> Path:
    return data_dir / "scans" / digest[:2] / digest


def store(data_dir: Path, data: bytes) -> str:
    """Write once under its SHA-256; the same image stored twice is one file."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(data_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(target)
    return digest


def attach(session: Session, by: Principal, data_dir: Path, act_id: int, data: bytes) -> Act:
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id, for_update=True)
    if not data or len(data) > MAX_SCAN_BYTES or media_type(data) is None:
        raise DomainError("scan_invalid", f"{len(data)} bytes")
    if act.status == ActStatus.REGISTERED.value and act.scan_sha256 is not None:
        raise DomainError("act_registered", "the scan of a registered act is not replaced")
    digest = store(data_dir, data)
    previous = act.scan_sha256
    act.scan_sha256 = digest
    session.add(
        ActEvent(
            act_id=act.id,
            at=utcnow(),
            actor_id=by.user_id,
            event="scan_attached",
            detail={"sha256": digest, "replaces": previous},
        )
    )
    append(
        session,
        by.actor,
        "act.scan",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"sha256": digest, "bytes": len(data)},
    )
    return act


def read(session: Session, by: Principal, data_dir: Path, act_id: int) -> tuple[bytes, str]:
    by.require(Permission.ACTS_READ)
    act = load_act(session, by, act_id)
    if act.scan_sha256 is None:
        raise DomainError("not_found", "this act has no scan")
    data = path_for(data_dir, act.scan_sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != act.scan_sha256:
        raise DomainError("internal", "stored scan does not match its digest")
    append(
        session,
        by.actor,
        "act.scan_read",
        "act",
        act.id,
        office=office_code(session, act.office_id),
    )
    return data, media_type(data) or "application/octet-stream"
