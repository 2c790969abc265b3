"""Importing a library without the optional extras it would load and the kiosk never uses.

Some libraries import an optional module when it happens to be installed: httpx its command
line client (``httpx._main``: click, rich's console, pygments' lexers; rich is a dependency
of Sijill's CLI, so they are there on a terminal too), arabic-reshaper fontTools (to read a
font's ligatures; installed by the server's weasyprint, not on a terminal). Each is a few
megabytes of module objects held for the kiosk's whole life. While such a library is
imported here, its optional module is reported missing (the library's own fallback runs);
afterwards the name is free again, so anything else in the process may still import it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without(*modules: str) -> Iterator[None]:
    blocked = [name for name in modules if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
