"""Revoked documents, by serial: a small JSON list an offline verifier can carry too."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REVOCATIONS_FILE = "revoked.json"


@dataclass(frozen=True, slots=True)
class Revocation:
    serial: str
    revoked_on: date
    reason: str


class RevocationList:
    """In memory: what verification consults."""

    def __init__(self, entries: list[Revocation] | None = None) -> None:
        self._entries = {e.serial: e for e in entries or []}

    def get(self, serial: str) -> Revocation | None:
        return self._entries.get(serial)

    def __contains__(self, serial: object) -> bool:
        return serial in self._entries

    def entries(self) -> list[Revocation]:
        return sorted(self._entries.values(), key=lambda e: (e.revoked_on, e.serial))

    def to_json(self) -> str:
        return json.dumps(
            {
                "revoked": [
                    {"serial": e.serial, "revoked_on": e.revoked_on.isoformat(), "reason": e.reason}
                    for e in self.entries()
                ]
            },
            ensure_ascii=False,
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> RevocationList:
        data = json.loads(text)
        return cls(
            [
                Revocation(str(e["serial"]), date.fromisoformat(e["revoked_on"]), str(e["reason"]))
                for e in data["revoked"]
            ]
        )


class RevocationStore:
    """The list kept in a file under the data directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / REVOCATIONS_FILE

    def load(self) -> RevocationList:
        if not self.path.exists():
            return RevocationList()
        return RevocationList.from_json(self.path.read_text(encoding="utf-8"))

    def revoke(self, serial: str, reason: str, on: date) -> Revocation:
        current = self.load()
        existing = current.get(serial)
        if existing is not None:
            return existing  # revoking twice keeps the first date and reason
        entry = Revocation(serial, on, reason.strip() or "unspecified")
        self._save(RevocationList([*current.entries(), entry]))
        return entry

    def _save(self, revocations: RevocationList) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(revocations.to_json(), encoding="utf-8")
        os.replace(tmp, self.path)
