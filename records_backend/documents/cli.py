"""``sijill documents …``: render samples, manage signing keys, verify and revoke documents."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from records_backend.documents.clock import civil_today
from records_backend.documents.keyring import Keyring, KeyringError
from records_backend.documents.keys import PublicKeySet
from records_backend.documents.model import DocumentContent, DocumentKind
from records_backend.documents.revocations import RevocationList, RevocationStore
from records_backend.documents.samples import sample as make_sample
from records_backend.documents.settings import DocumentSettings
from records_backend.documents.verify import Verdict, verify_qr

app = typer.Typer(
    help="Official documents: render, sign, verify, revoke; signing keys.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Document signing keys (kept under the data directory).")
app.add_typer(keys_app, name="keys")


def _settings() -> DocumentSettings:
    return DocumentSettings()


def _keyring() -> Keyring:
    return Keyring(_settings().keys_dir)


def _load_content(sample: str) -> DocumentContent:
    if sample in {k.value for k in DocumentKind}:
        return make_sample(DocumentKind(sample))
    path = Path(sample)
    if not path.is_file():
        choices = ", ".join(k.value for k in DocumentKind)
        raise typer.BadParameter(f"neither a sample ({choices}) nor a JSON file: {sample}")
    return DocumentContent.model_validate_json(path.read_text(encoding="utf-8"))


@app.command()
def render(
    sample: Annotated[
        str, typer.Argument(help="full_copy, extract, individual_sheet, or a DocumentContent JSON")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write")],
) -> None:
    """Sign and render a document to PDF with the current signing key."""
    # Imported here: it pulls in WeasyPrint, which takes a second and only rendering needs.
    from records_backend.documents.issue import issue_document

    content = _load_content(sample)
    try:
        issued = issue_document(content, _keyring(), _settings().verify_url)
    except KeyringError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    out.write_bytes(issued.pdf)
    typer.echo(f"wrote {out} ({len(issued.pdf)} bytes)")
    typer.echo(f"code: {issued.short_code}")
    typer.echo(f"qr:   {issued.qr_text}")


@keys_app.command("generate")
def keys_generate() -> None:
    """Create the first signing key (refused if one exists: rotate instead)."""
    try:
        info = _keyring().generate()
    except KeyringError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created key {info.kid}")


@keys_app.command("list")
def keys_list() -> None:
    """List every key: id, in service since, retired on."""
    keys = _keyring().entries()
    if not keys:
        typer.echo("no keys: run 'keys generate'")
        return
    for k in keys:
        state = f"retired {k.retired.isoformat()}" if k.retired else "signing"
        typer.echo(f"{k.kid}  since {k.created.isoformat()}  {state}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the previous one is retired but keeps verifying."""
    info = _keyring().rotate()
    typer.echo(f"signing key is now {info.kid}")


@keys_app.command("retire")
def keys_retire(kid: Annotated[str, typer.Argument(help="key id to retire")]) -> None:
    """Retire a key: its private half is destroyed; what it signed still verifies."""
    try:
        info = _keyring().retire(kid)
    except KeyringError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"key {info.kid} retired on {info.retired}")


@keys_app.command("export")
def keys_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Write the public keys (JSON) that offline verifiers need."""
    text = _keyring().public_keys().to_json()
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command()
def revoke(
    serial: Annotated[str, typer.Argument(help="serial printed on the document")],
    reason: Annotated[str, typer.Option(help="why (kept in the list)")],
) -> None:
    """Add a document to the revocation list."""
    entry = RevocationStore(_settings().documents_dir).revoke(serial, reason, civil_today())
    typer.echo(f"{entry.serial} revoked on {entry.revoked_on.isoformat()}")


@app.command()
def revocations() -> None:
    """Print the revocation list (JSON), e.g. for offline verifiers."""
    typer.echo(RevocationStore(_settings().documents_dir).load().to_json())


@app.command()
def verify(
    qr_text: Annotated[str, typer.Argument(help="the text read from the document's QR code")],
    keys: Annotated[
        Path | None, typer.Option(help="public keys JSON (default: this server's keyring)")
    ] = None,
    revoked: Annotated[
        Path | None, typer.Option(help="revocation list JSON (default: this server's list)")
    ] = None,
    today: Annotated[str | None, typer.Option(help="verify as of this day (YYYY-MM-DD)")] = None,
) -> None:
    """Say whether a document is valid, expired, revoked or forged (exit 0 only if valid)."""
    settings = _settings()
    key_set = (
        PublicKeySet.from_json(keys.read_text(encoding="utf-8"))
        if keys
        else Keyring(settings.keys_dir).public_keys()
    )
    revocation_list = (
        RevocationList.from_json(revoked.read_text(encoding="utf-8"))
        if revoked
        else RevocationStore(settings.documents_dir).load()
    )
    day = date.fromisoformat(today) if today else civil_today()
    result = verify_qr(qr_text, key_set, revocation_list, day)
    output: dict[str, object] = {"verdict": result.verdict.value, "reason": result.reason}
    if result.shown is not None:
        output["document"] = {k: str(v) for k, v in asdict(result.shown).items()}
    typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
    if result.verdict is not Verdict.VALID:
        raise typer.Exit(1)
