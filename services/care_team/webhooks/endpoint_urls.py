"""Which webhook endpoint URLs are accepted (pure, no I/O).

http(s) only, with a host and without credentials (a password in a URL ends up in logs and
in listings). In production the endpoint must use https, and a literal loopback, private or
link-local address is refused so a subscription cannot aim deliveries at our own network;
host names are not resolved here (that would be I/O, and DNS can change later anyway).
"""

import ipaddress
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2048
_SCHEMES = ("http", "https")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def url_problem(url: str, *, production: bool) -> str | None:
    """Why `url` cannot be a webhook endpoint, or None when it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        return "is not a valid URL"
    return _parts_problem(parts, production=production)


def _parts_problem(parts: SplitResult, *, production: bool) -> str | None:
    scheme, host = parts.scheme.lower(), parts.hostname
    checks = (
        (scheme not in _SCHEMES, "must be an http or https URL"),
        (not host, "must name a host"),
        (
            parts.username is not None or parts.password is not None,
            "must not contain credentials (user:password@)",
        ),
        (production and scheme != "https", "must use https in production"),
        (
            production and bool(host) and _is_local(host or ""),
            "must not point at a local or private address in production",
        ),
    )
    return next((problem for failed, problem in checks if failed), None)


def _is_local(host: str) -> bool:
    if host.lower().rstrip(".") in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: not resolved here
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
        or address.is_multicast
    )
