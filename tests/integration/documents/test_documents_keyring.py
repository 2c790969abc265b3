"""Keys and revocations on disk, and the ``documents`` command line."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from records_backend.documents.cli import app
from records_backend.documents.issue import sign_document
from records_backend.documents.keyring import Keyring, KeyringError
from records_backend.documents.model import DocumentKind
from records_backend.documents.revocations import RevocationStore
from records_backend.documents.samples import sample
from records_backend.documents.verify import Verdict, verify_qr

pytestmark = pytest.mark.integration

ISSUED = date(2026, 11, 25)


class _Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_keeps_private_key_private(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "keys", _Clock(date(2026, 1, 1)))
    info = ring.generate()
    assert _mode(tmp_path / "keys") == 0o700
    assert _mode(tmp_path / "keys" / f"{info.kid}.pem") == 0o600
    index = (tmp_path / "keys" / "keyring.json").read_text()
    assert "PRIVATE" not in index
    assert ring.signer().kid == info.kid
    with pytest.raises(KeyringError, match="rotate"):
        ring.generate()


def test_signer_refuses_a_readable_private_key(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "keys", _Clock(date(2026, 1, 1)))
    info = ring.generate()
    os.chmod(tmp_path / "keys" / f"{info.kid}.pem", 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        ring.signer()


def test_no_key_no_signature(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="keys generate"):
        Keyring(tmp_path / "keys").signer()


def test_rotation_keeps_old_documents_valid(tmp_path: Path) -> None:
    clock = _Clock(date(2026, 1, 1))
    ring = Keyring(tmp_path / "keys", clock)
    first = ring.generate()
    clock.day = ISSUED
    old = sign_document(sample(DocumentKind.EXTRACT), ring)
    assert old.claims.kid == first.kid

    clock.day = date(2026, 12, 1)
    second = ring.rotate()
    assert second.kid != first.kid
    assert not (tmp_path / "keys" / f"{first.kid}.pem").exists()
    assert ring.signer().kid == second.kid
    listed = {k.kid: k for k in ring.entries()}
    assert listed[first.kid].retired == date(2026, 12, 1)
    assert listed[second.kid].retired is None

    revoked = RevocationStore(tmp_path).load()
    result = verify_qr(old.qr_text, ring.public_keys(), revoked, date(2026, 12, 2))
    assert result.verdict is Verdict.VALID
    new = sign_document(
        sample(DocumentKind.EXTRACT).model_copy(update={"issue_date": clock.day}), ring
    )
    assert verify_qr(new.qr_text, ring.public_keys(), revoked, clock.day).verdict is Verdict.VALID


def test_retired_key_verifies_but_no_longer_signs(tmp_path: Path) -> None:
    clock = _Clock(date(2026, 1, 1))
    ring = Keyring(tmp_path / "keys", clock)
    info = ring.generate()
    clock.day = ISSUED
    signed = sign_document(sample(DocumentKind.FULL_COPY), ring)
    ring.retire(info.kid)
    assert not (tmp_path / "keys" / f"{info.kid}.pem").exists()
    with pytest.raises(KeyringError):
        ring.signer()
    result = verify_qr(signed.qr_text, ring.public_keys(), RevocationStore(tmp_path).load(), ISSUED)
    assert result.verdict is Verdict.VALID
    with pytest.raises(KeyringError, match="no key"):
        ring.retire("ffffffff")


def test_revocation_store_round_trip(tmp_path: Path) -> None:
    store = RevocationStore(tmp_path)
    first = store.revoke("MK03-2026-E004127", "issued on a wrong act", date(2026, 11, 26))
    again = store.revoke("MK03-2026-E004127", "other", date(2026, 11, 27))
    assert again == first
    loaded = store.load()
    assert "MK03-2026-E004127" in loaded
    assert "MK03-2026-E000001" not in loaded
    assert json.loads(store.path.read_text())["revoked"][0]["reason"] == "issued on a wrong act"


def test_command_line_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIJILL_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    assert (
        runner.invoke(app, ["render", "extract", "--out", str(tmp_path / "x.pdf")]).exit_code == 1
    )
    done = runner.invoke(app, ["keys", "generate"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["render", "extract", "--out", str(tmp_path / "x.pdf")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    qr = next(line.split()[1] for line in done.output.splitlines() if line.startswith("qr:"))

    today = ["--today", "2026-11-25"]
    done = runner.invoke(app, ["verify", qr, *today])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["verdict"] == "valid"
    tampered = qr[:-5] + ("A" if qr[-5] != "A" else "B") + qr[-4:]
    done = runner.invoke(app, ["verify", tampered, *today])
    assert done.exit_code == 1
    assert json.loads(done.output) == {"verdict": "forged", "reason": "signature does not match"}

    exported = tmp_path / "public.json"
    assert runner.invoke(app, ["keys", "export", "--out", str(exported)]).exit_code == 0
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    listing = runner.invoke(app, ["keys", "list"]).output
    assert "retired" in listing
    assert "signing" in listing
    # Offline: the exported public keys alone still verify the first document.
    done = runner.invoke(app, ["verify", qr, "--keys", str(exported), *today])
    assert json.loads(done.output)["verdict"] == "valid"

    assert runner.invoke(app, ["revoke", "MK03-2026-E004127", "--reason", "lost"]).exit_code == 0
    done = runner.invoke(app, ["verify", qr, *today])
    assert json.loads(done.output)["verdict"] == "revoked"
    assert "MK03-2026-E004127" in runner.invoke(app, ["revocations"]).output
    done = runner.invoke(app, ["verify", qr, "--today", "2027-03-01"])
    assert json.loads(done.output)["verdict"] == "revoked"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (
        [],
        ["render"],
        ["verify"],
        ["revoke"],
        ["revocations"],
        ["keys"],
        ["keys", "generate"],
        ["keys", "list"],
        ["keys", "rotate"],
        ["keys", "retire"],
        ["keys", "export"],
    ):
        done = runner.invoke(app, [*args, "--help"])
        assert done.exit_code == 0, args
        assert "Usage" in done.output
