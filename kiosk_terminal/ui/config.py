"""Kivy settings for an appliance: set before the window exists (it reads them once)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os

import kiosk_terminal.ui  # noqa: F401 - prepares Kivy's environment before it is imported

log = logging.getLogger(__name__)
_M_TRIM_THRESHOLD = -1  # glibc mallopt parameters
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def limit_heap_fragmentation(threshold: int = 64 * 1024) -> bool:
    """Serve big allocations (texture buffers) with mmap so that freeing them returns memory.

    glibc raises its mmap threshold as large blocks are freed, after which each screen's
    texture buffers come from the heap and fragment it: measured here, a kiosk grew by
    ~10 MB a journey without this and stayed flat with it. A fixed threshold stops that.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        ok = libc.mallopt(_M_MMAP_THRESHOLD, threshold)
        libc.mallopt(_M_TRIM_THRESHOLD, threshold * 2)
        libc.mallopt(_M_ARENA_MAX, 2)  # render and print threads share arenas
        return bool(ok)
    except (OSError, AttributeError):
        log.info("mallopt not available: heap left as it is")
        return False


#: Mesa's environment for the kiosk, set before its GL context exists (the service unit sets
#: the same; a value already in the environment wins). llvmpipe's rasterizer threads (one per
#: core by default) each keep their own scene bins and buffers, for a UI that redraws only on
#: a touch. (The ~140 MB they seemed to cost was mostly left screens not yet collected: see
#: KioskApp._collect_screens; with those freed the difference is within the noise.)
RENDER_ENVIRONMENT = {"LP_NUM_THREADS": "0"}


def configure_rendering() -> None:
    for name, value in RENDER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def release_free_heap() -> None:
    """Give glibc's free heap pages back to the system (between two citizens: ~1 ms)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


def configure_kivy(fullscreen: bool, width: int, height: int) -> None:
    configure_rendering()
    limit_heap_fragmentation()
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    # Kivy asks for 2x multisampling by default, which llvmpipe serves as 4x: a colour and a
    # depth-stencil buffer four samples deep (~20 MB each at 1280x1024) plus the resolve
    # shaders, ~55 MB resident measured here. A flat UI of text textures and axis-aligned
    # rectangles gains nothing from it (a GPU would spend the same memory in VRAM).
    Config.set("graphics", "multisamples", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
