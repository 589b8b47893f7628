"""Runs an outbox relay that is SIGKILLed right after the broker acknowledged a batch,
before the rows are deleted (the worst moment for a relay to die).

    python -m tests.support.relay_killer <dsn> <schema> <bootstrap-servers>
"""

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from shared.outbox_relay import OutboxRelay


async def _die(_: Sequence[int]) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(dsn: str, schema: str, bootstrap_servers: str) -> None:
    relay = OutboxRelay(
        dsn=dsn,
        schema=schema,
        bootstrap_servers=bootstrap_servers,
        client_id="relay-killer",
        after_publish=_die,
    )
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
