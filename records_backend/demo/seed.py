"""Load demo acts and the demo staff accounts (development mode only)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from records_backend.audit.log import Actor
from records_backend.db.models import Act, Terminal, User
from records_backend.demo.generate import Generator
from records_backend.domain.roles import Role
from records_backend.security.passwords import Passwords
from records_backend.services.accounts import create_terminal, create_user
from records_backend.services.bulk import BulkAct, BulkLoader
from records_backend.services.principal import Principal

BATCH = 5000


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    roles: tuple[Role, ...]
    offices: tuple[str, ...]
    all_offices: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "demo-admin-2026", (Role.CENTRAL_ADMIN,), (), True),
    DemoAccount("clerk", "demo-clerk-2026", (Role.CLERK,), ("MK01",)),
    DemoAccount("officer", "demo-officer-2026", (Role.OFFICER,), ("MK01",)),
    DemoAccount("officer2", "demo-officer2-2026", (Role.OFFICER,), ("MK01",)),
    DemoAccount("head", "demo-head-2026", (Role.OFFICE_HEAD,), ("MK01",)),
    DemoAccount("auditor", "demo-auditor-2026", (Role.AUDITOR,), (), True),
    DemoAccount("statistician", "demo-stats-2026", (Role.STATISTICIAN,), (), True),
    DemoAccount("technician", "demo-tech-2026", (Role.TECHNICIAN,), (), True),
    DemoAccount("fleet", "demo-fleet-2026", (Role.FLEET_OPERATOR,), (), True),
)
DEMO_TERMINALS: tuple[tuple[str, str], ...] = (("kiosk-mk01-01", "MK01"), ("kiosk-mk02-01", "MK02"))
TERMINALS_FILE = "demo-terminals.json"


def act_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Act)) or 0)


def load_acts(
    sessions: sessionmaker[Session],
    count: int,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Generate and insert ``count`` registered acts with their notes; returns how many."""
    generator = Generator(seed=seed)
    done = 0
    with sessions() as session:
        loader = BulkLoader(session, Actor("system"), action="act.demo_load")
        while done < count:
            size = min(BATCH, count - done)
            batch = [
                BulkAct(a.office, a.kind, a.fields, notes=a.notes) for a in generator.acts(size)
            ]
            result = loader.load(batch)
            session.commit()
            done += size
            if progress is not None:
                progress(result.inserted + result.skipped)
    return done


def ensure_accounts(session: Session, passwords: Passwords) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns those created."""
    present = set(session.scalars(select(User.username)))
    created = []
    for acc in DEMO_ACCOUNTS:
        if acc.username in present:
            continue
        create_user(
            session,
            passwords,
            Principal.system(),
            username=acc.username,
            full_name=f"Demo {acc.username}",
            password=acc.password,
            roles=list(acc.roles),
            office_codes=list(acc.offices),
            all_offices=acc.all_offices,
        )
        created.append(acc)
    return created


def ensure_terminals(session: Session, data_dir: Path) -> dict[str, str]:
    """Demo kiosks; their tokens are written (0600) to the data directory for the demo."""
    path = data_dir / TERMINALS_FILE
    tokens: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    present = set(session.scalars(select(Terminal.terminal_id)))
    for terminal_id, office in DEMO_TERMINALS:
        if terminal_id in present:
            continue  # already enrolled: its token is in the file, or was never ours to know
        _terminal, token = create_terminal(session, Principal.system(), terminal_id, office)
        tokens[terminal_id] = token
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(tokens, fh, indent=2)
    return tokens
