"""Maintain the kiosk's catalogues: extract the texts, update each ``kiosk.po``, compile.

``python -m kiosk_terminal.i18n.catalog`` after changing a screen's texts: new messages are
added (untranslated) to every language, vanished ones are marked obsolete, and every ``.po``
is compiled to the ``.mo`` the kiosk loads. Uses Babel (a development dependency).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from kiosk_terminal.i18n import DOMAIN, LOCALE_DIR, REQUIRED_FILE, catalogue_ready

_KIOSK = Path(__file__).resolve().parent.parent
#: Where screen texts are written: the UI, and the attract loop's slides (marked ``t("…")``).
SOURCES = (_KIOSK / "ui", _KIOSK / "core" / "attract.py")
LANGUAGES = ("ar", "fr", "en", "zgh")
_CALL = re.compile(r"""\bt\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)|\bt\('((?:[^'\\]|\\.)*)'\)""")
_PART = re.compile(r'"((?:[^"\\]|\\.)*)"')


def extract(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """Every ``t("…")`` message id in the UI code, in order of first appearance."""
    found: list[str] = []
    for folder in sources:
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder]:
            for match in _CALL.finditer(path.read_text(encoding="utf-8")):
                if match.group(1) is not None:
                    parts = _PART.findall(match.group(1))
                    message = "".join(ast.literal_eval(f'"{part}"') for part in parts)
                else:
                    message = ast.literal_eval(f"'{match.group(2)}'")
                if message not in found:
                    found.append(message)
    return found


#: Screens a language may leave untranslated and still be offered (they fall back, as the
#: procedures guide's texts do): the guide, collecting, the status check.
OPTIONAL_FUNCTIONS = frozenset(
    {"_screen_guide", "_screen_collect", "_screen_status", "_state_text"}
)


def _messages_in(node: ast.AST) -> set[str]:
    found: set[str] = set()
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name | ast.Attribute)
            and (call.func.id if isinstance(call.func, ast.Name) else call.func.attr) == "t"
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            found.add(call.args[0].value)
    return found


def required_messages(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """What a language must translate to be offered: every screen text but the optional
    screens' own (language choice, home, attract loop, the request journey, its errors)."""
    optional: set[str] = set()
    elsewhere: set[str] = set()
    for folder in sources:
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder]:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            inside: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name in OPTIONAL_FUNCTIONS:
                    inside |= _messages_in(node)
            optional |= inside
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name not in OPTIONAL_FUNCTIONS:
                    elsewhere |= _messages_in(node)
    return [m for m in extract(sources) if m not in optional or m in elsewhere]


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
    required = required_messages()
    text = json.dumps(required, ensure_ascii=False, indent=1)
    REQUIRED_FILE.write_text(text + "\n", encoding="utf-8")
    ready = [lang for lang in LANGUAGES if catalogue_ready(lang)]
    print(f"{len(messages)} messages ({len(required)} required), {len(LANGUAGES)} languages, "
          f"offered: {', '.join(ready)}")  # fmt: skip


if __name__ == "__main__":
    main()
