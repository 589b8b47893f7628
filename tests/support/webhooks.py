"""Helpers for webhook tests: register over the API, create real notifications, read back."""

from typing import Any
from uuid import uuid4

from services.care_team.context import CareTeamContext
from services.care_team.domain.routing import Route
from services.care_team.notifying import notify
from shared.events.notifications import NotificationData, NotificationPriority
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth

# Small enough that a test sees several retries and a dead letter quickly.
FAST_RETRIES: dict[str, Any] = {
    "webhook_initial_backoff_s": 0.02,
    "webhook_max_backoff_s": 0.1,
    "webhook_poll_interval_s": 0.05,
    "webhook_timeout_s": 30.0,
}


async def register(service: RunningService, clinician: str, url: str) -> tuple[str, str]:
    """(subscription_id, secret) of a new subscription the clinician registered."""
    response = await service.http.post(
        "/clinicians/me/webhooks", json={"url": url}, headers=clinician_auth(clinician)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    return created["subscription_id"], created["secret"]


async def notify_clinician(
    service: RunningService,
    clinician: str,
    priority: NotificationPriority = NotificationPriority.HIGH,
) -> NotificationData:
    """One new notification for the clinician, stored the way every channel sees it."""
    ctx: CareTeamContext = service.app.state.care_team
    route = Route(clinician, "medication_changed", priority, "Medication changed", "A change")
    async with service.runtime.pool.acquire() as conn, conn.transaction():
        (created,) = await notify(
            conn,
            ctx,
            [route],
            patient_id="p-webhooks",
            cause_event_id=str(uuid4()),
            cause_type="test.cause",
        )
    return created


async def deliveries(
    service: RunningService, clinician: str, subscription_id: str, **params: str
) -> list[dict[str, Any]]:
    response = await service.http.get(
        f"/webhooks/{subscription_id}/deliveries", params=params, headers=clinician_auth(clinician)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def statuses(found: list[dict[str, Any]]) -> dict[str, str]:
    return {d["notification_id"]: d["status"] for d in found}
