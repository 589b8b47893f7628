"""A minimal keep-alive HTTP/1.1 client on raw asyncio streams, for the load generator.

httpx spends about half a millisecond of CPU per request; at 2,000 requests/s that is a
core the service under test (on the same two cores) would not get. This client writes the
request bytes and reads the status line, headers and a Content-Length body: enough for
the JSON answers of a FastAPI service, nothing else (no chunked bodies, no redirects).
"""

import asyncio
import contextlib
import json
import time
from typing import Any

# uvicorn closes a connection idle for 5 s; one idle for longer than this is not reused, so a
# request is never written into a connection the server is closing (no retry guesswork).
MAX_IDLE_S = 2.0


class HttpError(Exception):
    pass


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class RawHttpClient:
    """Connections to one host:port, reused; at most `max_connections` open, so a caller
    beyond that waits for one (an open-loop generator counts that wait as latency)."""

    def __init__(self, host: str, port: int, *, max_connections: int = 256) -> None:
        self._host = host
        self._port = port
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> tuple[int, bytes]:
        """(status, body) of one request; the JSON `body` is encoded here."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        async with self._slots:
            conn = self._reusable() or await self._open()
            try:
                conn.writer.write(request)
                status, answer, keep = await _read_response(conn.reader)
            except BaseException:
                conn.close()
                raise
            if keep:
                conn.idle_since = time.monotonic()
                self._idle.append(conn)
            else:
                conn.close()
            return status, answer

    def _reusable(self) -> _Connection | None:
        while self._idle:
            conn = self._idle.pop()
            if time.monotonic() - conn.idle_since < MAX_IDLE_S:
                return conn
            conn.close()
        return None

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    async def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"not an HTTP/1.x answer: {lines[0]!r}")
    length = 0
    keep = True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        match name.strip().lower():
            case "content-length":
                length = int(value)
            case "transfer-encoding":
                raise HttpError("chunked answers are not supported here")
            case "connection":
                keep = value.strip().lower() != "close"
    body = await reader.readexactly(length) if length else b""
    return int(parts[1]), body, keep
