"""How webhook deliveries are signed, and how a receiver checks them (pure, no I/O).

Scheme `carecoord-hmac-sha256-v1`, for receivers:

Every delivery is a `POST` of the notification as JSON with these headers:

    Content-Type: application/json
    X-Carecoord-Notification-Id: <notification_id>   same on every retry: dedupe by it
    X-Carecoord-Delivery-Attempt: <n>                1 for the first attempt
    X-Carecoord-Signature: t=<unix seconds>,v1=<hex>

`v1` is the lowercase hex HMAC-SHA256, keyed with the subscription's secret (the whole
string shown once at registration, UTF-8 encoded, `whsec_` prefix included), of

    f"{t}.".encode() + <the raw request body bytes, exactly as received>

To verify: take `t` and every `v1` from the header (there may be several while a secret is
rotated), compute the HMAC over `t`, a dot and the raw body (before any JSON parsing),
compare in constant time, and refuse the request unless one matches and `t` is within five
minutes of your clock (that stops a captured request from being replayed later). Each attempt
is signed afresh at the time it is sent, so retries carry a current `t`.

Answer 2xx once you have stored it; anything else (or no answer within the timeout) is
retried later with the same notification id, so a receiver may see one notification more
than once but never loses one. Notifications of one recipient arrive in `seq` order: the next
one is sent only after this one was delivered or dead-lettered.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

SCHEME = "carecoord-hmac-sha256-v1"
SIGNATURE_HEADER = "X-Carecoord-Signature"
NOTIFICATION_ID_HEADER = "X-Carecoord-Notification-Id"
ATTEMPT_HEADER = "X-Carecoord-Delivery-Attempt"
DEFAULT_TOLERANCE = timedelta(seconds=300)

SCHEME_DESCRIPTION = (
    f"{SCHEME}: header {SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 keyed with "
    "the secret (UTF-8) over the bytes of '<t>.' followed by the raw body>; compare in "
    "constant time and refuse a t more than 300 s from now; dedupe by "
    f"{NOTIFICATION_ID_HEADER} (the body's notification_id)"
)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Carecoord-Signature` value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def parse(header: str) -> tuple[int, list[str]] | None:
    """(t, [v1 signatures]) from a header value, or None when it is malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit():
                return None
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
        # other keys (future schemes) are ignored
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify(
    secret: str,
    header: str,
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> bool:
    """True when a `v1` signature in `header` matches `body` under `secret` and its timestamp
    is within `tolerance` of `now` (either side)."""
    parsed = parse(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    expected = _digest(secret, timestamp, body)
    matched = False
    for candidate in signatures:  # check every one: the time taken does not depend on which
        matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    return matched


SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A fresh subscription secret: 256 random bits, URL-safe, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def delivery_headers(
    secret: str, notification_id: str, attempt: int, body: bytes, now: datetime
) -> dict[str, str]:
    """The headers of one delivery attempt, signed at `now`."""
    return {
        "Content-Type": "application/json",
        NOTIFICATION_ID_HEADER: notification_id,
        ATTEMPT_HEADER: str(attempt),
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
    }
