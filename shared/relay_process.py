"""`python -m services.<name> relay`: a service's outbox relay as a process of its own.

With `OUTBOX_RELAY_IN_PROCESS=false` the service does not relay its outbox; this process
does, on a loop that waits on no request handling, so its lag is not the HTTP backlog's
(and its CPU is not the service's). The advisory lock still elects one relay per schema,
so running this beside an in-process relay is safe: one of them leads.
"""

import asyncio
import contextlib
import signal

from shared.logging import configure_logging
from shared.outbox_relay import OutboxRelay
from shared.settings import ServiceSettings


def relay_forever(settings: ServiceSettings) -> None:
    """Relay until SIGTERM or SIGINT."""
    configure_logging(settings.service_name, settings.log_level)
    asyncio.run(_relay(settings))


async def _relay(settings: ServiceSettings) -> None:
    relay = OutboxRelay.of_service(settings, client_id=f"carecoord-{settings.service_name}-relay")
    task = asyncio.create_task(relay.run(), name=f"{settings.service_name}-outbox-relay")
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
