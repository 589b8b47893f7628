"""Delivers pending webhook notifications (placeholder: being built)."""

from collections.abc import Callable, Coroutine
from typing import Any

from services.care_team.context import CareTeamContext
from services.care_team.settings import CareTeamSettings
from shared.runtime import ServiceRuntime


def webhook_delivery_loop(
    runtime: ServiceRuntime, ctx: CareTeamContext, settings: CareTeamSettings
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def deliver_webhooks() -> None:
        return None

    return deliver_webhooks
