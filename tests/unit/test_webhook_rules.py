"""Pure webhook rules: endpoint URLs, secrets, signed headers, the retry policy from settings."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.care_team.settings import CareTeamSettings
from services.care_team.webhooks import signing
from services.care_team.webhooks.endpoint_urls import MAX_URL_LENGTH, url_problem
from services.care_team.webhooks.worker import retry_policy

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/carecoord",
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks?token=abc",
        "HTTPS://Hooks.Example.org",
    ],
)
def test_development_accepts_http_and_https_endpoints(url: str) -> None:
    assert url_problem(url, production=False) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://hooks.example.org/x", "must be an http or https URL"),
        ("javascript:alert(1)", "must be an http or https URL"),
        ("hooks.example.org/x", "must be an http or https URL"),
        ("https:///x", "must name a host"),
        ("https://user:pw@hooks.example.org/x", "must not contain credentials (user:password@)"),
        ("https://token@hooks.example.org/x", "must not contain credentials (user:password@)"),
        ("https://hooks.example.org:99999/x", "is not a valid URL"),
        ("https://hooks.example.org/a b", "must not contain spaces or control characters"),
        ("https://hooks.example.org/\x00", "must not contain spaces or control characters"),
        (
            "https://h.example.org/" + "a" * MAX_URL_LENGTH,
            f"must be at most {MAX_URL_LENGTH} characters",
        ),
    ],
)
def test_malformed_or_unsafe_urls_are_refused_with_the_reason(url: str, problem: str) -> None:
    assert url_problem(url, production=False) == problem


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.org/x", "must use https in production"),
        ("https://localhost/x", "must not point at a local or private address in production"),
        ("https://127.0.0.1/x", "must not point at a local or private address in production"),
        ("https://10.0.0.7/x", "must not point at a local or private address in production"),
        ("https://169.254.169.254/x", "must not point at a local or private address in production"),
        ("https://[::1]/x", "must not point at a local or private address in production"),
        ("https://hooks.example.org/x", None),
        ("https://203.0.113.9.nip.example/x", None),
    ],
)
def test_production_wants_https_to_a_public_host(url: str, problem: str | None) -> None:
    assert url_problem(url, production=True) == problem


def test_secrets_are_fresh_and_prefixed() -> None:
    secrets = {signing.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(s) >= 6 + 43 for s in secrets)


def test_delivery_headers_carry_the_id_the_attempt_and_a_signature_the_receiver_accepts() -> None:
    secret, body = signing.new_secret(), b'{"notification_id": "n-1"}'
    headers = signing.delivery_headers(secret, "n-1", 3, body, NOW)
    assert headers["Content-Type"] == "application/json"
    assert headers[signing.NOTIFICATION_ID_HEADER] == "n-1"
    assert headers[signing.ATTEMPT_HEADER] == "3"
    signature = headers[signing.SIGNATURE_HEADER]
    assert signature.startswith(f"t={int(NOW.timestamp())},v1=")
    assert signing.verify(secret, signature, body, NOW + timedelta(seconds=10))
    assert not signing.verify(secret, signature, body + b" ", NOW)
    assert not signing.verify(signing.new_secret(), signature, body, NOW)
    # A captured request replayed later is refused.
    assert not signing.verify(secret, signature, body, NOW + timedelta(minutes=6))


def test_each_attempt_is_signed_at_its_own_time() -> None:
    secret, body = signing.new_secret(), b"{}"
    first = signing.delivery_headers(secret, "n-1", 1, body, NOW)
    later = signing.delivery_headers(secret, "n-1", 2, body, NOW + timedelta(hours=3))
    assert first[signing.SIGNATURE_HEADER] != later[signing.SIGNATURE_HEADER]
    assert signing.verify(secret, later[signing.SIGNATURE_HEADER], body, NOW + timedelta(hours=3))


def test_the_retry_policy_follows_the_settings() -> None:
    settings = CareTeamSettings(
        webhook_initial_backoff_s=2,
        webhook_max_backoff_s=600,
        webhook_retry_window_hours=36,
    )
    policy = retry_policy(settings)
    assert (policy.initial, policy.cap, policy.window) == (
        timedelta(seconds=2),
        timedelta(minutes=10),
        timedelta(hours=36),
    )
    rng = random.Random(7)
    # Still retrying 30 h into an outage, never before the initial delay; dead after 36 h.
    retry_at = policy.next_attempt(40, NOW, NOW + timedelta(hours=30), rng)
    assert retry_at is not None
    assert NOW + timedelta(hours=30, seconds=2) <= retry_at <= NOW + timedelta(hours=30, minutes=10)
    assert policy.next_attempt(41, NOW, NOW + timedelta(hours=36), rng) is None


def test_default_settings_keep_retrying_for_a_day() -> None:
    policy = retry_policy(CareTeamSettings())
    assert policy.window == timedelta(hours=24)
    assert policy.next_attempt(1, NOW, NOW + timedelta(hours=23, minutes=59), random.Random(1))
