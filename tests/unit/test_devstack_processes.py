"""devstack's process handling: spawn, recognise, stop (with SIGKILL fallback)."""

import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from devstack.errors import DevstackError
from devstack.ports import free_port, port_is_free, require_free
from devstack.processes import (
    ProcessRef,
    StopTarget,
    is_alive,
    log_tail,
    spawn,
    stop_processes,
)


def _python(code: str, log: Path) -> StopTarget:
    child = spawn("py", [sys.executable, "-c", code], log_path=log)
    return StopTarget(child.name, child.ref, child.stop_signal, child.popen)


def test_spawned_process_is_recognised_and_stopped(tmp_path: Path) -> None:
    target = _python("import time; print('up', flush=True); time.sleep(60)", tmp_path / "a.log")
    assert is_alive(target.ref)
    assert stop_processes([target]) == []
    assert not is_alive(target.ref)


def test_a_reused_pid_is_not_mistaken_for_our_process(tmp_path: Path) -> None:
    target = _python("import time; time.sleep(60)", tmp_path / "b.log")
    try:
        assert not is_alive(ProcessRef(target.ref.pid, target.ref.start_time + 1))
    finally:
        stop_processes([target])


def test_a_process_ignoring_the_stop_signal_is_killed(tmp_path: Path) -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "print('ignoring' + ' SIGTERM', flush=True); time.sleep(60)"
    )
    target = _python(code, tmp_path / "c.log")
    # (The log's first line echoes the command, so look for the joined text.)
    while "ignoring SIGTERM" not in log_tail(tmp_path / "c.log"):
        time.sleep(0.01)
    assert target.stop_signal == signal.SIGTERM
    assert stop_processes([target], grace=0.5) == []
    assert target.popen is not None and target.popen.returncode == -signal.SIGKILL


def test_log_tail_returns_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(log, 2) == "line 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == ""


def test_port_checks() -> None:
    port = free_port()
    assert port_is_free(port)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert not port_is_free(port)
        with pytest.raises(DevstackError, match=f"port {port} for Kafka is already in use"):
            require_free(port, "Kafka")


def test_free_ports_are_not_handed_out_twice() -> None:
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports)
