"""The clinician's notification inbox over HTTP: filters, paging, read and acknowledge, and
that only the recipient sees, reads or acknowledges a notification (every read audited)."""

from typing import Any
from uuid import uuid4

from shared.events.notifications import NotificationData, NotificationPriority
from tests.support.ids import unique
from tests.support.notifications import create_notification
from tests.support.services import RunningService
from tests.support.tokens import clinician_auth, patient_auth, service_auth

INBOX = "/clinicians/me/notifications"


async def _inbox(service: RunningService, clinician: str, **params: Any) -> dict[str, Any]:
    response = await service.http.get(INBOX, params=params, headers=clinician_auth(clinician))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["notification_id"] for item in page["items"]]


def _id(n: NotificationData) -> str:
    return str(n.notification_id)


async def test_filters_by_unread_priority_and_patient_and_pages_by_seq(
    care_team: RunningService,
) -> None:
    me, p1, p2 = unique("dr-"), unique("p-"), unique("p-")
    urgent = await create_notification(
        care_team.app, recipient=me, patient=p1, priority=NotificationPriority.URGENT
    )
    normal = await create_notification(care_team.app, recipient=me, patient=p2)
    digest = await create_notification(
        care_team.app, recipient=me, patient=p1, priority=NotificationPriority.DIGEST
    )
    await create_notification(care_team.app, recipient=unique("dr-"), patient=p1)

    everything = await _inbox(care_team, me)
    assert _ids(everything) == [_id(urgent), _id(normal), _id(digest)]  # digests are in the inbox
    assert everything["next_after"] is None
    assert everything["items"][0]["read_at"] is None
    assert everything["items"][0]["acknowledged_at"] is None

    assert _ids(await _inbox(care_team, me, priority="urgent")) == [_id(urgent)]
    assert _ids(await _inbox(care_team, me, patient_id=p1)) == [_id(urgent), _id(digest)]

    read = await care_team.http.post(
        f"{INBOX}/{urgent.notification_id}/read", headers=clinician_auth(me)
    )
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert read.json()["acknowledged_at"] is None
    assert _ids(await _inbox(care_team, me, unread="true")) == [_id(normal), _id(digest)]
    assert _ids(await _inbox(care_team, me, unread="false")) == [_id(urgent)]

    first = await _inbox(care_team, me, limit=2)
    assert _ids(first) == [_id(urgent), _id(normal)] and first["next_after"] == normal.seq
    rest = await _inbox(care_team, me, limit=2, after=first["next_after"])
    assert _ids(rest) == [_id(digest)] and rest["next_after"] is None


async def test_acknowledging_reads_it_and_is_idempotent(care_team: RunningService) -> None:
    me, patient = unique("dr-"), unique("p-")
    urgent = await create_notification(
        care_team.app, recipient=me, patient=patient, priority=NotificationPriority.URGENT
    )
    url = f"{INBOX}/{urgent.notification_id}/acknowledge"
    first = await care_team.http.post(url, headers=clinician_auth(me))
    assert first.status_code == 200
    body = first.json()
    assert body["acknowledged_at"] is not None and body["read_at"] == body["acknowledged_at"]
    again = await care_team.http.post(url, headers=clinician_auth(me))
    assert again.status_code == 200 and again.json()["acknowledged_at"] == body["acknowledged_at"]
    acknowledged = await care_team.runtime.pool.fetchval(
        "SELECT acknowledged_at IS NOT NULL FROM notifications WHERE notification_id = $1",
        urgent.notification_id,
    )
    assert acknowledged is True  # what the escalation of urgent ones looks at
    one = await care_team.http.get(f"{INBOX}/{urgent.notification_id}", headers=clinician_auth(me))
    assert one.status_code == 200 and one.json()["acknowledged_at"] == body["acknowledged_at"]


async def test_another_clinician_cannot_read_or_acknowledge_mine(
    care_team: RunningService,
) -> None:
    me, other, patient = unique("dr-"), unique("dr-"), unique("p-")
    mine = await create_notification(care_team.app, recipient=me, patient=patient)
    theirs = clinician_auth(other)
    for method, path in [
        ("GET", f"{INBOX}/{mine.notification_id}"),
        ("POST", f"{INBOX}/{mine.notification_id}/read"),
        ("POST", f"{INBOX}/{mine.notification_id}/acknowledge"),
        ("GET", f"{INBOX}/{uuid4()}"),
    ]:
        response = await care_team.http.request(method, path, headers=theirs)
        assert response.status_code == 404, (method, path)
    assert _ids(await _inbox(care_team, other)) == []
    row = await care_team.runtime.pool.fetchrow(
        "SELECT read_at, acknowledged_at FROM notifications WHERE notification_id = $1",
        mine.notification_id,
    )
    assert row is not None and row["read_at"] is None and row["acknowledged_at"] is None


async def test_patients_and_integrations_have_no_inbox(care_team: RunningService) -> None:
    me, patient = unique("dr-"), unique("p-")
    mine = await create_notification(care_team.app, recipient=me, patient=patient)
    for headers in (patient_auth(patient), service_auth()):
        assert (await care_team.http.get(INBOX, headers=headers)).status_code == 403
        ack = await care_team.http.post(
            f"{INBOX}/{mine.notification_id}/acknowledge", headers=headers
        )
        assert ack.status_code == 403
    assert (await care_team.http.get(INBOX)).status_code == 401


async def test_bad_filters_name_the_field(care_team: RunningService) -> None:
    me = clinician_auth(unique("dr-"))
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"priority": "loud"}, "priority"),
        ({"unread": "maybe"}, "unread"),
        ({"after": -1}, "after"),
        ({"limit": 0}, "limit"),
        ({"patient_id": ""}, "patient_id"),
    ]
    for params, field in cases:
        response = await care_team.http.get(INBOX, params=params, headers=me)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"] == ["query", field]
    bad_id = await care_team.http.get(f"{INBOX}/not-a-uuid", headers=me)
    assert bad_id.status_code == 422
    assert bad_id.json()["detail"][0]["loc"] == ["path", "notification_id"]


async def test_every_read_of_patient_data_is_audited(care_team: RunningService) -> None:
    me, p1, p2 = unique("dr-"), unique("p-"), unique("p-")
    first = await create_notification(care_team.app, recipient=me, patient=p1)
    await create_notification(care_team.app, recipient=me, patient=p2)
    await _inbox(care_team, me)
    await care_team.http.post(f"{INBOX}/{first.notification_id}/read", headers=clinician_auth(me))
    rows = await care_team.runtime.pool.fetch(
        """SELECT patient_id, resource, outcome FROM audit_log
           WHERE actor_subject = $1 ORDER BY id""",
        me,
    )
    audited = [(r["patient_id"], r["resource"], r["outcome"]) for r in rows]
    assert len(audited) == 3
    assert set(audited[:2]) == {(p, "notifications", "allowed") for p in (p1, p2)}  # the list
    assert audited[2] == (p1, "notifications", "allowed")  # marking one read
