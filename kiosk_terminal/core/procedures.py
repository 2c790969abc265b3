"""The procedures guide: one TOML file per procedure and language, edited by the commune.

A file that is malformed is reported with its path and skipped, so one bad edit never takes
the whole guide down. A language with no file for a procedure falls back to French, then
Arabic.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kiosk_terminal.core.model import Lang

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "procedures"
_FALLBACK = (Lang.FR, Lang.AR)


class ProcedureError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Procedure:
    id: str
    order: int
    title: str
    summary: str
    bring: tuple[str, ...]
    where: str
    fees: str
    delay: str
    notes: tuple[str, ...] = ()


def _str(data: dict[str, object], key: str, path: Path) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProcedureError(f"{path}: '{key}' must be a non-empty text")
    return value.strip()


def _list(data: dict[str, object], key: str, path: Path, required: bool) -> tuple[str, ...]:
    value = data.get(key, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProcedureError(f"{path}: '{key}' must be a list of texts")
    if required and not value:
        raise ProcedureError(f"{path}: '{key}' must not be empty")
    return tuple(v.strip() for v in value)


def parse_procedure(path: Path) -> Procedure:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProcedureError(f"{path}: {exc}") from None
    order = data.get("order")
    if not isinstance(order, int):
        raise ProcedureError(f"{path}: 'order' must be a whole number")
    return Procedure(
        id=path.stem,
        order=order,
        title=_str(data, "title", path),
        summary=_str(data, "summary", path),
        bring=_list(data, "bring", path, required=True),
        where=_str(data, "where", path),
        fees=_str(data, "fees", path),
        delay=_str(data, "delay", path),
        notes=_list(data, "notes", path, required=False),
    )


class ProceduresCatalog:
    def __init__(self, root: Path = DEFAULT_DIR) -> None:
        self.root = root
        self.errors: list[str] = []
        self._by_lang: dict[Lang, dict[str, Procedure]] = {}
        for lang in Lang:
            folder = root / lang.value
            items: dict[str, Procedure] = {}
            for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
                try:
                    items[path.stem] = parse_procedure(path)
                except ProcedureError as exc:
                    log.error("procedure file skipped: %s", exc)
                    self.errors.append(str(exc))
            self._by_lang[lang] = items

    def ids(self) -> list[str]:
        every: dict[str, int] = {}
        for items in self._by_lang.values():
            for proc in items.values():
                every.setdefault(proc.id, proc.order)
        return sorted(every, key=lambda k: (every[k], k))

    def get(self, proc_id: str, lang: Lang) -> Procedure:
        for candidate in (lang, *_FALLBACK):
            found = self._by_lang.get(candidate, {}).get(proc_id)
            if found is not None:
                return found
        raise KeyError(proc_id)

    def topics(self, lang: Lang) -> list[Procedure]:
        return [self.get(proc_id, lang) for proc_id in self.ids()]


class GuideJourney:
    """Browse the list, open a procedure, go back."""

    busy = False

    def __init__(self, catalog: ProceduresCatalog, language: Lang) -> None:
        self.catalog = catalog
        self.language = language
        self.current: Procedure | None = None

    def topics(self) -> list[Procedure]:
        return self.catalog.topics(self.language)

    def open(self, proc_id: str) -> None:
        self.current = self.catalog.get(proc_id, self.language)

    def back(self) -> bool:
        """Close the open procedure; False when already on the list."""
        if self.current is None:
            return False
        self.current = None
        return True
