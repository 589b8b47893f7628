"""devstack.services with stand-in services (the real ones need Kafka/PostgreSQL)."""

import time
from pathlib import Path

import pytest

from devstack.errors import DevstackError
from devstack.processes import is_alive
from devstack.services import ServiceSpec, start_services

STUB = """
import http.server, os
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/ready" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
assert os.environ["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9"
http.server.HTTPServer(("127.0.0.1", int(os.environ["STUB_PORT"])), Handler).serve_forever()
"""
CRASH = "print('connecting ...'); raise SystemExit('stub: database unreachable')"


@pytest.fixture
def stub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("CARECOORD_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "stub_ready.py").write_text(STUB)
    (tmp_path / "stub_crash.py").write_text(CRASH)
    return {"PYTHONPATH": str(tmp_path)}


READY = ServiceSpec("stub", "stub_ready", "STUB_PORT", 0)
CRASHING = ServiceSpec("crashing", "stub_crash", "CRASH_PORT", 0)


def test_services_start_report_ready_and_stop(stub_env: dict[str, str]) -> None:
    with start_services(
        "127.0.0.1:9", "postgresql://x@127.0.0.1:9/x", instance="unit", specs=[READY],
        extra_env=stub_env,
    ) as services:  # fmt: skip
        assert services.urls["stub"].startswith("http://127.0.0.1:")
        refs = [child.ref for child in services.children]
        assert all(is_alive(ref) for ref in refs)
    assert not any(is_alive(ref) for ref in refs)


def test_a_crashing_service_fails_fast_with_its_log(stub_env: dict[str, str]) -> None:
    started = time.monotonic()
    with pytest.raises(DevstackError) as failure:
        start_services(
            "127.0.0.1:9", "postgresql://x@127.0.0.1:9/x", instance="unit",
            specs=[READY, CRASHING], extra_env=stub_env, timeout=30,
        )  # fmt: skip
    assert time.monotonic() - started < 10
    assert "crashing" in failure.value.message
    assert failure.value.log_tail is not None
    assert "database unreachable" in failure.value.log_tail
