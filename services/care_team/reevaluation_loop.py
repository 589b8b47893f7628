"""Background loop: when a stopped drug's washout ends, its conflicts are resolved.

Polls the `reevaluations` table (a due time per patient); several instances may
run it at once (the patient lock and the still-due check keep it exactly-once).
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from services.care_team.adapters import conflict_repository
from services.care_team.context import CareTeamContext
from services.care_team.evaluation import reevaluate_due
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


def reevaluation_loop(
    runtime: ServiceRuntime, ctx: CareTeamContext, *, interval_s: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def reevaluate_when_washouts_end() -> None:
        async with runtime.pool.acquire() as conn, conn.transaction():
            scheduled = await conflict_repository.record_knowledge_version(
                conn, ctx.engine.version, ctx.clock()
            )
        if scheduled:
            log.info("knowledge changed; re-evaluating patients", extra={"patients": scheduled})
        while True:
            try:
                while await reevaluate_due(runtime.pool, ctx) > 0:
                    pass
            except Exception as exc:  # keep the loop alive; the next round retries
                log.warning("re-evaluation round failed", extra={"error_type": type(exc).__name__})
            await asyncio.sleep(interval_s)

    return reevaluate_when_washouts_end
