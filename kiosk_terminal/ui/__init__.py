"""Kivy screens bound to the core.

Importing this package prepares Kivy's environment first: Kivy reads its command line and
its home folder at import time, and a kiosk must not do either from the defaults.
"""

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
# Kivy logs through Python logging (our JSON lines) and leaves stderr alone.
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
if "KIVY_HOME" not in os.environ:
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="sijill-kivy-")
