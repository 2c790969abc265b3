"""Maintain the kiosk's catalogues: extract the texts, update each ``kiosk.po``, compile.

``python -m kiosk_terminal.i18n.catalog`` after changing a screen's texts: new messages are
added (untranslated) to every language, vanished ones are marked obsolete, and every ``.po``
is compiled to the ``.mo`` the kiosk loads. Uses Babel (a development dependency).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk_terminal.i18n import DOMAIN, LOCALE_DIR

SOURCES = (Path(__file__).resolve().parent.parent / "ui",)
LANGUAGES = ("ar", "fr", "en", "zgh")
_CALL = re.compile(r"""\bt\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)|\bt\('((?:[^'\\]|\\.)*)'\)""")
_PART = re.compile(r'"((?:[^"\\]|\\.)*)"')


def extract(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """Every ``t("…")`` message id in the UI code, in order of first appearance."""
    found: list[str] = []
    for folder in sources:
        for path in sorted(folder.rglob("*.py")):
            for match in _CALL.finditer(path.read_text(encoding="utf-8")):
                if match.group(1) is not None:
                    parts = _PART.findall(match.group(1))
                    message = "".join(ast.literal_eval(f'"{part}"') for part in parts)
                else:
                    message = ast.literal_eval(f"'{match.group(2)}'")
                if message not in found:
                    found.append(message)
    return found


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(lang: str, messages: list[str]) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = po_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang if lang != "zgh" else None)
    else:
        catalog = Catalog(locale=lang if lang != "zgh" else None, domain=DOMAIN)
        catalog.language_team = lang
    template = Catalog(domain=DOMAIN)
    for message in messages:
        template.add(message)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.project = "Sijill kiosk"
    catalog.version = "1"
    catalog.copyright_holder = "Commune de Meknès"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "Sijill"
    catalog.header_comment = f"# Sijill kiosk: screen texts ({lang}); message ids are in English."
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, include_previous=False)


def compile_catalog(lang: str) -> Path:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = po_path(lang)
    with path.open("rb") as handle:
        catalog = read_po(handle)
    target = path.with_suffix(".mo")
    with target.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    return target


def main() -> None:
    messages = extract()
    for lang in LANGUAGES:
        update(lang, messages)
        compile_catalog(lang)
    print(f"{len(messages)} messages, {len(LANGUAGES)} languages")


if __name__ == "__main__":
    main()
