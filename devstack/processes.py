"""Spawning, recognising and stopping the OS processes devstack owns."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from devstack.errors import DevstackError


@dataclass(frozen=True)
class ProcessRef:
    """A pid plus its kernel start time: a pid alone may have been reused by
    an unrelated process since a previous (killed) run wrote it down."""

    pid: int
    start_time: int


@dataclass(frozen=True)
class RunAs:
    """An unprivileged account to drop to when devstack itself runs as root."""

    name: str
    uid: int
    gid: int


def start_time_of(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat, or None if the process is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name (field 2) may contain spaces and ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def is_alive(ref: ProcessRef) -> bool:
    return start_time_of(ref.pid) == ref.start_time


class Child:
    """A process started by this Python process (so we can also reap it)."""

    def __init__(
        self, name: str, popen: subprocess.Popen[bytes], log_path: Path, stop_signal: int
    ) -> None:
        self.name = name
        self.popen = popen
        self.log_path = log_path
        self.stop_signal = stop_signal
        self.ref = ProcessRef(popen.pid, start_time_of(popen.pid) or 0)

    def exit_code(self) -> int | None:
        """None while running."""
        return self.popen.poll()

    def died(self, what: str) -> DevstackError:
        """The error to raise when this child exited before it was ready."""
        return DevstackError(
            f"{what} exited with code {self.popen.returncode} before becoming ready",
            log_path=self.log_path,
            log_tail=log_tail(self.log_path),
        )


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    run_as: RunAs | None = None,
    stop_signal: int = signal.SIGTERM,
) -> Child:
    """Start ``argv`` in its own session with stdout+stderr into ``log_path``.

    Own session: a Ctrl-C in the terminal reaches only us, and we stop the
    children in order (services before Kafka and PostgreSQL).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:  # one log per run: its tail explains this run
        stamp = datetime.now().isoformat(timespec="seconds")
        log.write(f"=== devstack {stamp}: {shlex.join(argv)}\n".encode())
        log.flush()
        try:
            popen = subprocess.Popen(
                _with_parent_death_signal(argv, stop_signal),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                start_new_session=True,
                user=run_as.uid if run_as else None,
                group=run_as.gid if run_as else None,
                extra_groups=[] if run_as else None,
            )
        except OSError as exc:
            raise DevstackError(f"cannot start {name}: {exc}") from exc
    return Child(name, popen, log_path, stop_signal)


def _with_parent_death_signal(argv: Sequence[str], sig: int) -> list[str]:
    """Prefix ``setpriv --pdeathsig`` so the child is signalled even if we are
    SIGKILLed. The kernel ties this to the spawning *thread*, so only use it
    from the main thread (a worker thread may exit long before we do)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or threading.current_thread() is not threading.main_thread():
        return list(argv)
    return [setpriv, "--pdeathsig", signal.Signals(sig).name.removeprefix("SIG"), "--", *argv]


@dataclass(frozen=True)
class StopTarget:
    """Something to stop: our own child (popen set) or a pid from state.json."""

    name: str
    ref: ProcessRef
    stop_signal: int
    popen: subprocess.Popen[bytes] | None = None

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return is_alive(self.ref)


def stop_processes(
    targets: Sequence[StopTarget], *, grace: float = 20.0, kill_grace: float = 5.0
) -> list[str]:
    """Signal all targets at once, wait up to ``grace`` seconds, then SIGKILL
    their process groups. Returns the names of processes that survived even that."""
    live = [t for t in targets if t.alive()]
    for target in live:
        _send(target.ref.pid, target.stop_signal)
    _wait_gone(live, grace)
    stubborn = [t for t in live if t.alive()]
    for target in stubborn:
        _kill_group(target.ref.pid)
    _wait_gone(stubborn, kill_grace)
    return [t.name for t in stubborn if t.alive()]


def _send(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _kill_group(pid: int) -> None:
    # Each child leads its own session/group (see spawn), so the group also
    # holds its helpers, e.g. PostgreSQL backends.
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_gone(targets: Sequence[StopTarget], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(t.alive() for t in targets) and time.monotonic() < deadline:
        time.sleep(0.05)


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file ('' if it does not exist)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            data = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
