"""Choosing and checking TCP ports on 127.0.0.1 (everything binds there only)."""

from __future__ import annotations

import socket

from devstack.errors import DevstackError

HOST = "127.0.0.1"

# Ports handed out but maybe not bound yet: the kernel could offer one twice.
_handed_out: set[int] = set()


def free_port() -> int:
    """A port the kernel considers free right now (there is a small race until
    the server binds it; a clash then shows up as a fast, explained failure)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = int(s.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Servers set SO_REUSEADDR too, so a port in TIME_WAIT from our own
        # previous run counts as free; a listening socket does not.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def require_free(port: int, what: str, hint: str = "") -> int:
    """Return ``port`` or raise a one-line error naming who wanted it."""
    if not port_is_free(port):
        extra = f" ({hint})" if hint else ""
        raise DevstackError(f"port {port} for {what} is already in use{extra}")
    return port


def pick_port(port: int | None, what: str, hint: str = "") -> int:
    """An explicit port must be free; None means any free port."""
    return free_port() if port is None else require_free(port, what, hint)
