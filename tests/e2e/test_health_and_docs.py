"""Every service: health, readiness, OpenAPI and AsyncAPI without a token; nothing else."""

import logging

import pytest

from shared.events.registry import Topic
from tests.support.services import RunningService


@pytest.fixture(params=["diary", "scheduling", "care_team"])
def service(request: pytest.FixtureRequest) -> RunningService:
    svc: RunningService = request.getfixturevalue(request.param)
    return svc


async def test_health_ready_and_docs_are_public(service: RunningService) -> None:
    assert (await service.http.get("/health")).json() == {"status": "ok"}
    ready = await service.http.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"database": True, "kafka": True}
    assert (await service.http.get("/docs")).status_code == 200
    openapi = (await service.http.get("/openapi.json")).json()
    assert openapi["openapi"].startswith("3.")
    asyncapi = (await service.http.get("/docs/asyncapi.json")).json()
    assert asyncapi["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in asyncapi["channels"].values()}
    assert any(a.endswith(".v1") for a in addresses)
    assert "<html" in (await service.http.get("/docs/asyncapi")).text.lower()


async def test_every_data_route_requires_a_token(service: RunningService) -> None:
    openapi = (await service.http.get("/openapi.json")).json()
    public = {"/health", "/ready"}
    for path, methods in openapi["paths"].items():
        if path in public:
            continue
        concrete = (
            path.replace("{patient_id}", "p-1")
            .replace("{entry_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{visit_id}", "00000000-0000-0000-0000-000000000000")
        )
        for method in methods:
            response = await service.http.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path)
            assert response.headers["www-authenticate"] == "Bearer"


async def test_ready_reports_an_unreachable_dependency(service: RunningService) -> None:
    await service.runtime._close_pool()  # the database goes away under the running service
    ready = await service.http.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["database"] is False


async def test_care_team_documents_the_notifications_it_publishes(
    care_team: RunningService,
) -> None:
    asyncapi = (await care_team.http.get("/docs/asyncapi.json")).json()
    addresses = {c["address"] for c in asyncapi["channels"].values()}
    assert care_team.settings.topic(Topic.NOTIFICATIONS) in addresses
    assert "NotificationData" in asyncapi["components"]["schemas"]


async def test_each_request_is_logged_with_its_route_template_never_the_path(
    care_team: RunningService, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="carecoord.access"):
        refused = await care_team.http.get("/patients/p-secret-17/medications")
        stream = await care_team.http.get("/nowhere/p-secret-17")
    assert (refused.status_code, stream.status_code) == (401, 404)
    lines = [(r.__dict__["route"], r.__dict__["status"]) for r in caplog.records
             if r.name == "carecoord.access"]  # fmt: skip
    assert lines == [("/patients/{patient_id}/medications", 401), ("<unmatched>", 404)]
    assert "p-secret-17" not in caplog.text
