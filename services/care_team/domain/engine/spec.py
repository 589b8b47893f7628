"""Typed reading of the knowledge YAML, with errors that name the file, rule and field.

The YAML is parsed into plain Python values; `Node` wraps one value with its
location ("rules.yaml: rule PK-34: modifiers[0].when") so every validation error
says exactly what is wrong and where.
"""

from collections.abc import Collection, Iterator
from typing import NoReturn


class KnowledgeError(ValueError):
    """The knowledge files are malformed; the message names the file, entry and field."""


class Node:
    __slots__ = ("path", "value")

    def __init__(self, value: object, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> NoReturn:
        separator = " " if self.path.endswith(":") else ": "
        raise KnowledgeError(f"{self.path}{separator}{message}")

    def child(self, value: object, name: str) -> "Node":
        separator = "" if name.startswith("[") else " " if self.path.endswith(":") else "."
        return Node(value, f"{self.path}{separator}{name}")

    # -- mappings ---------------------------------------------------------------
    def mapping(
        self, allowed: Collection[str] | None = None, required: Collection[str] = ()
    ) -> dict[str, "Node"]:
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {_kind(self.value)}")
        fields: dict[str, Node] = {}
        for key, value in self.value.items():
            if not isinstance(key, str):
                self.fail(f"keys must be text, got {key!r}")
            if allowed is not None and key not in allowed:
                self.fail(f"unknown field {key!r} (expected one of: {', '.join(sorted(allowed))})")
            fields[key] = self.child(value, key)
        missing = [name for name in required if name not in fields]
        if missing:
            self.fail(f"missing field(s): {', '.join(missing)}")
        return fields

    def entries(self) -> Iterator[tuple[str, "Node"]]:
        """A mapping of named entries (drugs, sources): yields (name, node)."""
        yield from self.mapping().items()

    # -- scalars ------------------------------------------------------------------
    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"expected non-empty text, got {_kind(self.value)}")
        return self.value.strip()

    def optional_text(self) -> str | None:
        return None if self.value is None else self.text()

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            self.fail(f"expected a number, got {_kind(self.value)}")
        return float(self.value)

    def integer(self, minimum: int = 0) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected a whole number, got {_kind(self.value)}")
        if self.value < minimum:
            self.fail(f"must be at least {minimum}")
        return self.value

    def choice(self, options: Collection[str]) -> str:
        value = self.text()
        if value not in options:
            self.fail(f"{value!r} is not one of: {', '.join(sorted(options))}")
        return value

    # -- lists ----------------------------------------------------------------------
    def items(self) -> list["Node"]:
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {_kind(self.value)}")
        return [self.child(value, f"[{index}]") for index, value in enumerate(self.value)]

    def texts(self) -> tuple[str, ...]:
        """One text or a list of texts."""
        if isinstance(self.value, str):
            return (self.text(),)
        return tuple(item.text() for item in self.items())

    def choices(self, options: Collection[str]) -> frozenset[str]:
        """One option or a list of options."""
        if isinstance(self.value, str):
            return frozenset({self.choice(options)})
        return frozenset(item.choice(options) for item in self.items())


def _kind(value: object) -> str:
    """How an error message names an unexpected YAML value."""
    if value is None:
        return "nothing"
    if isinstance(value, bool | str | int | float):
        kind = {bool: "boolean", str: "text"}.get(type(value), "number")
        return f"{kind} {value!r}"
    names: dict[type, str] = {list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)
