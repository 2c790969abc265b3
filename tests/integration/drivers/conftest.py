"""Device stacks for the driver tests: pcscd with vpcd, and socat pty pairs.

pcscd: used as found when one already answers on /run/pcscd/pcscd.comm; otherwise started
here (``pcscd --foreground``), waited for, and stopped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.card.pcscd import Pcscd


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log").ensure(timeout=30)
    yield daemon
    if daemon.owned:
        daemon.stop()
