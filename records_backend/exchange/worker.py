"""The import's worker process: checks and prepares a JSON Lines file's acts, and streams
them to its parent on stdout (see ``jsonl._from_workers``).

``python -m records_backend.exchange.worker FILE NOW sqlite|other PART PARTS CHUNK_LINES``:
checks the chunks of CHUNK_LINES lines numbered PART modulo PARTS.
"""

from __future__ import annotations

import os
import pickle
import queue
import sys
import threading
from datetime import datetime
from pathlib import Path

from records_backend.exchange.jsonl import prepared_chunks

#: Messages checked ahead of the parent: enough to keep it busy, bounded in memory.
_AHEAD = 16


def main(argv: list[str]) -> None:
    path, now, engine = Path(argv[0]), datetime.fromisoformat(argv[1]), argv[2]
    part, parts, chunk_lines = int(argv[3]), int(argv[4]), int(argv[5])
    out = sys.stdout.buffer
    # A writer thread, so checking goes on while the parent is busy inserting and the
    # pipe is full (a blocked write releases the GIL).
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)

    def write() -> None:
        try:
            while (data := pending.get()) is not None:
                out.write(data)
            out.flush()
        except OSError:
            # The parent is gone (or stopped reading for good): nobody wants the rest, and
            # the checking thread would wait forever on a full queue.
            os._exit(1)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    errors: list[str] = []
    sent = 0  # errors already sent: each goes with the chunk it was found in
    for chunk, checked, acts in prepared_chunks(
        path, errors, now, engine == "sqlite", part, parts, chunk_lines
    ):
        message = ("acts", chunk, checked, acts, errors[sent:])
        sent = len(errors)
        pending.put(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
    pending.put(pickle.dumps(("end", errors[sent:]), pickle.HIGHEST_PROTOCOL))
    pending.put(None)
    writer.join()


if __name__ == "__main__":
    main(sys.argv[1:])
