"""Finding free loopback ports, and telling whether a preferred one is taken."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def preferred_or_free(port: int, host: str = "127.0.0.1") -> tuple[int, bool]:
    """The preferred port if free, else a free one; the flag says whether it fell back."""
    if port and port_is_free(port, host):
        return port, False
    return free_port(host), True
