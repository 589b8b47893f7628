"""Short status lines for humans on stderr (stdout stays for the CLI's tables)."""

from __future__ import annotations

import sys


def say(message: str) -> None:
    """Print one ``devstack: ...`` line to stderr, flushed immediately."""
    print(f"devstack: {message}", file=sys.stderr, flush=True)
