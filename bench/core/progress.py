"""The progress line on stderr: which section, what it is doing, how long it has taken.

On a terminal one line is rewritten every half second; otherwise (CI logs, pipes) a
line is printed per step, so the log stays short.
"""

import sys
import threading
import time
from types import TracebackType
from typing import Self, TextIO


class Progress:
    def __init__(self, total_sections: int, out: TextIO | None = None) -> None:
        self._out = out or sys.stderr
        self._live = self._out.isatty()
        self._total = total_sections
        self._index = 0
        self._section = ""
        self._step = ""
        self._run_started = time.monotonic()
        self._section_started = self._run_started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Self:
        if self._live:
            # A thread, not an asyncio task: CPU-bound sections block the event loop.
            self._ticker = threading.Thread(target=self._tick, name="bench-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._write("\r\033[K")

    def section(self, name: str) -> None:
        with self._lock:
            self._index += 1
            self._section, self._step = name, "starting"
            self._section_started = time.monotonic()
        self._show()

    def step(self, what: str) -> None:
        with self._lock:
            self._step = what
        self._show()

    def done(self, summary: str) -> None:
        """The section finished: a permanent line, also on a terminal."""
        line = f"{self._prefix()} {summary}"
        self._write(f"\r\033[K{line}\n" if self._live else f"{line}\n")

    def elapsed(self) -> float:
        return time.monotonic() - self._run_started

    def _prefix(self) -> str:
        now = time.monotonic()
        return (
            f"[{self._index}/{self._total}] {self._section} "
            f"{now - self._section_started:5.1f} s (total {now - self._run_started:5.0f} s)"
        )

    def _show(self) -> None:
        with self._lock:
            line = f"{self._prefix()} · {self._step}"
        self._write(f"\r\033[K{line}" if self._live else f"{line}\n")

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._show()

    def _write(self, text: str) -> None:
        with self._lock:
            self._out.write(text)
            self._out.flush()
