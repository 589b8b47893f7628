from uuid import uuid4


def unique(prefix: str) -> str:
    """An id no other test (or earlier run against the same broker) uses."""
    return f"{prefix}{uuid4().hex[:12]}"
