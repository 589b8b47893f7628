"""A minimal Server-Sent Events reader over an httpx streaming response (WHATWG rules for
the fields the tests need)."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class SseBlock:
    """One blank-line-terminated block: an event, or only an id/retry, or comments."""

    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads("\n".join(self.data))
        return value


class SseReader:
    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def block(self, timeout_s: float = 30.0) -> SseBlock | None:
        """The next block, or None when the server ended the stream."""
        async with asyncio.timeout(timeout_s):
            block = SseBlock()
            async for line in self._lines:
                if line == "":
                    return block
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                match name:
                    case "":
                        block.comments.append(value)
                    case "id":
                        block.id = value
                    case "event":
                        block.event = value
                    case "data":
                        block.data.append(value)
                    case "retry":
                        block.retry = int(value)
            return None

    async def notification(self, timeout_s: float = 30.0) -> SseBlock:
        """The next block with data, skipping keepalives."""
        while True:
            block = await self.block(timeout_s)
            assert block is not None, "the stream ended"
            if block.data:
                return block
