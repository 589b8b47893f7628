"""The one exception type devstack raises for expected failures."""

from __future__ import annotations

from pathlib import Path


class DevstackError(Exception):
    """An expected failure (missing tool, port in use, process died, timeout).

    The CLI prints it as one line plus, when present, the tail of the log that
    explains it - never a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        log_path: Path | None = None,
        log_tail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.log_path = log_path
        self.log_tail = log_tail

    def render(self) -> str:
        """The message, the log path and the indented log tail, for humans."""
        lines = [f"devstack: error: {self.message}"]
        if self.log_tail:
            where = f" ({self.log_path})" if self.log_path else ""
            lines.append(f"--- last lines of the log{where} ---")
            lines.extend("  " + line for line in self.log_tail.splitlines())
        elif self.log_path:
            lines.append(f"see {self.log_path}")
        return "\n".join(lines)
