"""HTML and PDF of a document: Jinja2 lays it out, WeasyPrint shapes Arabic and prints A4.

WeasyPrint takes about a second to import, so it is imported once, on the first PDF, and
its font configuration and parsed stylesheet are kept for every later document.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from records_backend.documents.keyring import SignedDocument
from records_backend.documents.model import DocumentContent, DocumentKind
from records_backend.documents.qr import qr_data_uri
from records_backend.documents.samples import sample
from records_backend.documents.view import DocumentView, build_view

TEMPLATE = "document.html"
STYLESHEET = "document.css"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("records_backend.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(view: DocumentView) -> str:
    return _environment().get_template(TEMPLATE).render(v=view)


def document_view(
    content: DocumentContent, signed: SignedDocument, verify_url: str | None = None
) -> DocumentView:
    return build_view(content, signed.short_code, qr_data_uri(signed.qr_text), verify_url)


@dataclass
class _Engine:
    html_class: Any
    stylesheet: Any
    fonts: Any


_engine_lock = threading.Lock()


@cache
def _engine() -> _Engine:
    # Imported here, once: the import is slow and only PDF output needs it.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css_text = resources.files("records_backend.documents").joinpath("templates", STYLESHEET)
    stylesheet = weasyprint.CSS(string=css_text.read_text(encoding="utf-8"), font_config=fonts)
    return _Engine(weasyprint.HTML, stylesheet, fonts)


def warm_up() -> None:
    """Import WeasyPrint, load fonts and lay out one sample page now (at service start).

    The first layout fills WeasyPrint's font and shaping caches: done here, the first
    citizen's document prints as fast as the next ones.
    """
    view = build_view(sample(DocumentKind.FULL_COPY), "00000-00000", qr_data_uri("SJD1:WARMUP"))
    render_pdf(view)


def render_pdf(view: DocumentView) -> bytes:
    """The A4 PDF of one document."""
    html_text = render_html(view)
    # One render at a time: the shared font configuration is not documented as thread-safe,
    # and rendering holds the interpreter anyway.
    with _engine_lock:
        engine = _engine()
        html = engine.html_class(string=html_text, base_url=".")
        pdf: bytes = html.write_pdf(stylesheets=[engine.stylesheet], font_config=engine.fonts)
    return pdf
