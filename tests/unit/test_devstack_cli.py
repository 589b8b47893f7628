"""devstack's CLI: exit codes and one-line errors for the expected failures."""

import signal
from pathlib import Path

import pytest

from devstack.cli import main


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECOORD_CACHE_DIR", str(tmp_path))


def test_status_of_an_unknown_instance_is_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--instance", "nothing-here"]) == 3
    assert "no state" in capsys.readouterr().out


def test_stop_without_state_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stop", "--instance", "nothing-here"]) == 0


def test_logs_without_logs_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "--instance", "nothing-here"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("devstack: error: no logs")
    assert "Traceback" not in err


def test_bad_port_variable_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEVSTACK_KAFKA_PORT", "not-a-port")
    handlers = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
    assert main(["infra", "--instance", "unit"]) == 1
    assert "DEVSTACK_KAFKA_PORT='not-a-port' is not a TCP port" in capsys.readouterr().err
    # The foreground commands put the caller's signal handlers back.
    assert handlers == [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
