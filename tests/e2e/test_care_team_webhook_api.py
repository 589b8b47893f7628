"""The webhook subscription API: who may register and see what; URLs checked."""

from collections.abc import AsyncIterator

import pytest

from services.care_team.app import create_app as create_care_team
from services.care_team.settings import CareTeamSettings
from shared.auth import PrincipalKind
from shared.events.notifications import NotificationPriority
from tests.support.ids import unique
from tests.support.infrastructure import Endpoints
from tests.support.services import RunningService, running_service
from tests.support.tokens import bearer, clinician_auth, patient_auth, service_auth
from tests.support.webhooks import deliveries, notify_clinician

pytestmark = pytest.mark.e2e

URL = "https://hooks.example.org/carecoord"
LOCAL_URL = "http://127.0.0.1:9/hooks"  # deliveries made in a test stay on this machine


def field_of(response_json: dict[str, object]) -> list[object]:
    detail = response_json["detail"]
    assert isinstance(detail, list)
    return [entry["loc"][-1] for entry in detail]


async def test_a_clinician_registers_sees_the_secret_once_and_only_they_see_it(
    care_team: RunningService,
) -> None:
    owner, other = unique("dr-"), unique("dr-")
    created = await care_team.http.post(
        "/clinicians/me/webhooks",
        json={"url": URL, "description": "my phone relay"},
        headers=clinician_auth(owner),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    subscription_id = body["subscription_id"]
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (body["owner_id"], body["recipient_id"], body["url"]) == (owner, owner, URL)
    assert body["active"] is True

    listed = await care_team.http.get("/clinicians/me/webhooks", headers=clinician_auth(owner))
    assert listed.status_code == 200
    assert [s["subscription_id"] for s in listed.json()] == [subscription_id]
    assert "secret" not in listed.json()[0]
    one = await care_team.http.get(f"/webhooks/{subscription_id}", headers=clinician_auth(owner))
    assert one.status_code == 200 and "secret" not in one.json()
    assert one.json()["description"] == "my phone relay"

    # Anyone else: as if it did not exist.
    for headers in (clinician_auth(other), patient_auth(owner)):
        for method, path in (
            ("GET", f"/webhooks/{subscription_id}"),
            ("GET", f"/webhooks/{subscription_id}/deliveries"),
            ("DELETE", f"/webhooks/{subscription_id}"),
        ):
            response = await care_team.http.request(method, path, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
    others = await care_team.http.get("/clinicians/me/webhooks", headers=clinician_auth(other))
    assert others.json() == []
    # An integration sees it.
    seen = await care_team.http.get(
        "/webhooks", params={"recipient_id": owner}, headers=service_auth()
    )
    assert [s["subscription_id"] for s in seen.json()] == [subscription_id]


async def test_deactivated_subscriptions_receive_nothing_more(care_team: RunningService) -> None:
    clinician = unique("dr-")
    created = await care_team.http.post(
        "/clinicians/me/webhooks", json={"url": URL}, headers=clinician_auth(clinician)
    )
    subscription_id = created.json()["subscription_id"]
    deleted = await care_team.http.delete(
        f"/webhooks/{subscription_id}", headers=clinician_auth(clinician)
    )
    assert deleted.status_code == 200
    assert deleted.json()["active"] is False and deleted.json()["deactivated_at"] is not None
    await notify_clinician(care_team, clinician)
    assert await deliveries(care_team, clinician, subscription_id) == []
    active = await care_team.http.get(
        "/clinicians/me/webhooks", params={"active": "true"}, headers=clinician_auth(clinician)
    )
    assert active.json() == []


async def test_what_was_still_queued_is_cancelled_when_a_subscription_is_deactivated(
    care_team: RunningService,
) -> None:
    clinician = unique("dr-")
    created = await care_team.http.post(
        "/clinicians/me/webhooks", json={"url": LOCAL_URL}, headers=clinician_auth(clinician)
    )
    subscription_id = created.json()["subscription_id"]
    queued = await notify_clinician(care_team, clinician)  # nobody answers on port 9
    [pending] = await deliveries(care_team, clinician, subscription_id)
    assert (pending["notification_id"], pending["status"]) == (
        str(queued.notification_id),
        "pending",
    )
    deleted = await care_team.http.delete(
        f"/webhooks/{subscription_id}", headers=clinician_auth(clinician)
    )
    assert deleted.status_code == 200
    [cancelled] = await deliveries(care_team, clinician, subscription_id)
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"] is not None
    assert deleted.json()["pending"] == 0


async def test_digest_notifications_are_not_pushed(care_team: RunningService) -> None:
    clinician = unique("dr-")
    created = await care_team.http.post(
        "/clinicians/me/webhooks", json={"url": LOCAL_URL}, headers=clinician_auth(clinician)
    )
    subscription_id = created.json()["subscription_id"]
    await notify_clinician(care_team, clinician, NotificationPriority.DIGEST)
    pushed = await notify_clinician(care_team, clinician, NotificationPriority.URGENT)
    queued = await deliveries(care_team, clinician, subscription_id)
    assert [d["notification_id"] for d in queued] == [str(pushed.notification_id)]


async def test_an_integration_registers_for_a_named_clinician(care_team: RunningService) -> None:
    clinician = unique("dr-")
    created = await care_team.http.post(
        "/webhooks", json={"url": URL, "recipient_id": clinician}, headers=service_auth("ehr-x")
    )
    assert created.status_code == 201, created.text
    assert (created.json()["owner_id"], created.json()["recipient_id"]) == ("ehr-x", clinician)
    # A clinician may not register for a colleague, nor a patient for anyone.
    for headers in (clinician_auth(unique("dr-")), patient_auth("p-1")):
        refused = await care_team.http.post(
            "/webhooks", json={"url": URL, "recipient_id": clinician}, headers=headers
        )
        assert refused.status_code == 403
    missing = await care_team.http.post("/webhooks", json={"url": URL}, headers=service_auth())
    assert missing.status_code == 422 and field_of(missing.json()) == ["recipient_id"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.org/x",
        "https://user:secret@hooks.example.org/x",
        "hooks.example.org/x",
        "https:///no-host",
        "https://hooks.example.org/a b",
        "https://hooks.example.org:99999/x",
    ],
)
async def test_a_bad_url_is_refused_naming_the_field(care_team: RunningService, url: str) -> None:
    refused = await care_team.http.post(
        "/clinicians/me/webhooks", json={"url": url}, headers=clinician_auth(unique("dr-"))
    )
    assert refused.status_code == 422, refused.text
    assert field_of(refused.json()) == ["url"]


PRODUCTION_SECRET = "a-production-test-secret-that-is-long-enough"


@pytest.fixture
async def production_care_team(infra: Endpoints) -> AsyncIterator[RunningService]:
    async with running_service(
        create_care_team,
        CareTeamSettings,
        infra,
        environment="production",
        jwt_secret=PRODUCTION_SECRET,
    ) as service:
        yield service


async def test_production_requires_https_to_a_public_host(
    production_care_team: RunningService,
) -> None:
    headers = bearer(unique("dr-"), PrincipalKind.CLINICIAN, secret=PRODUCTION_SECRET)
    for url in ("http://hooks.example.org/x", "https://127.0.0.1/x", "https://10.1.2.3/x"):
        refused = await production_care_team.http.post(
            "/clinicians/me/webhooks", json={"url": url}, headers=headers
        )
        assert refused.status_code == 422, (url, refused.text)
        assert field_of(refused.json()) == ["url"]
    accepted = await production_care_team.http.post(
        "/clinicians/me/webhooks", json={"url": URL}, headers=headers
    )
    assert accepted.status_code == 201, accepted.text
