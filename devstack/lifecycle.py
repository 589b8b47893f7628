"""Safety net so no java/postgres/service process outlives the Python process
that started it: atexit, SIGTERM/SIGHUP, and (in processes.spawn) the
kernel's parent-death signal for the cases where Python cannot react (SIGKILL)."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
from types import FrameType
from typing import Protocol


class Stoppable(Protocol):
    def stop(self) -> None: ...


_active: list[Stoppable] = []
_lock = threading.Lock()
_installed = threading.Event()


def register(item: Stoppable) -> None:
    """Stop ``item`` at interpreter exit or on SIGTERM/SIGHUP unless it was
    stopped (and unregistered) before."""
    with _lock:
        _active.append(item)
        if not _installed.is_set():
            _installed.set()
            atexit.register(stop_all)
            _install_signal_handlers()


def unregister(item: Stoppable) -> None:
    with _lock:
        if item in _active:
            _active.remove(item)


def stop_all() -> None:
    """Stop everything still registered, newest first (services before infra)."""
    while True:
        with _lock:
            if not _active:
                return
            item = _active.pop()
        # Best effort at exit: one failure must not keep the rest running.
        with contextlib.suppress(Exception):
            item.stop()


def _install_signal_handlers() -> None:
    # Only where nobody else handles them (the CLI installs its own), and only
    # from the main thread, where Python allows it.
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _stop_then_die)


def _stop_then_die(signum: int, frame: FrameType | None) -> None:
    """Clean up, then die of the same signal so the exit status stays honest."""
    stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
