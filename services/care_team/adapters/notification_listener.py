"""One LISTEN connection per process, fanned out to the live notification streams.

A dedicated PostgreSQL connection per open stream would not scale, so the process holds one
and wakes, through asyncio, every stream subscribed for the recipient a NOTIFY names. A wake
carries no data: the stream then reads what is new from the table, so a lost or coalesced
NOTIFY costs latency, never a notification. While the connection is down every stream is
told to poll instead, and all are woken when it is back.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import asyncpg

log = logging.getLogger(__name__)


class Subscription:
    """A stream's wake-up call: set by a NOTIFY for its recipient, a reconnect, or close."""

    def __init__(self, listener: "NotificationListener") -> None:
        self._listener = listener
        self._woken = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self._listener.closed

    @property
    def listening(self) -> bool:
        """False while the process hears no NOTIFY: the stream should poll."""
        return self._listener.connected

    def wake(self) -> None:
        self._woken.set()

    async def wait(self, timeout_s: float) -> bool:
        """True when woken before the timeout. Clears the wake first, so one that arrives
        while the caller reads is kept for its next wait."""
        try:
            async with asyncio.timeout(max(timeout_s, 0.0)):
                await self._woken.wait()
        except TimeoutError:
            return False
        self._woken.clear()
        return True


class NotificationListener:
    def __init__(self, dsn: str, channel: str, *, reconnect_delay_s: float = 1.0) -> None:
        self._dsn = dsn
        self._channel = channel
        self._reconnect_delay_s = reconnect_delay_s
        self._by_recipient: dict[str, set[Subscription]] = {}
        self._closed = asyncio.Event()
        self.connected = False
        self.backend_pid: int | None = None  # of the LISTEN connection, for operators and tests

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @contextlib.contextmanager
    def subscribe(self, recipient_id: str) -> Iterator[Subscription]:
        """Subscribe before the first read: a NOTIFY between that read and the first wait
        then still wakes the stream."""
        subscription = Subscription(self)
        self._by_recipient.setdefault(recipient_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._by_recipient.get(recipient_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._by_recipient[recipient_id]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._by_recipient.values())

    def close(self) -> None:
        """Ends every stream (service shutdown); idempotent."""
        self._closed.set()
        self._wake_all()

    async def run(self) -> None:
        """Listen until closed or cancelled, reconnecting after a lost connection."""
        try:
            while not self.closed:
                await self._listen_once()
                if not self.closed:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._reconnect_delay_s):
                            await self._closed.wait()
        finally:
            self.close()

    async def _listen_once(self) -> None:
        try:
            conn = await asyncpg.connect(self._dsn)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("notification listener cannot connect", extra={"error": str(exc)})
            return
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        try:
            await conn.add_listener(self._channel, self._on_notify)
            self.connected, self.backend_pid = True, conn.get_server_pid()
            self._wake_all()  # whatever committed while nobody listened is read now
            closed = asyncio.create_task(self._closed.wait())
            dropped = asyncio.create_task(lost.wait())
            try:
                await asyncio.wait({closed, dropped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                closed.cancel()
                dropped.cancel()
            if lost.is_set():
                log.warning("notification listener lost its connection; reconnecting")
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("notification listener failed", extra={"error": str(exc)})
        finally:
            self.connected, self.backend_pid = False, None
            self._wake_all()  # streams switch to polling until the connection is back
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, recipient_id: object) -> None:
        for subscription in self._by_recipient.get(str(recipient_id), ()):
            subscription.wake()

    def _wake_all(self) -> None:
        for subscribers in self._by_recipient.values():
            for subscription in subscribers:
                subscription.wake()
