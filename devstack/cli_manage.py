"""`status`, `stop` and `logs`: look after an instance through its state file."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from devstack.console import say
from devstack.errors import DevstackError
from devstack.ownership import INFRA, lock_if_unowned
from devstack.paths import logs_dir
from devstack.processes import is_alive, stop_processes
from devstack.report import status_table
from devstack.state import load_state, owner_alive, owner_ref, save_state, stop_targets

EXIT_NOT_RUNNING = 3  # as in LSB `status`: "program is not running"
_OWNER_STOP_WAIT_S = 60.0


def status(instance: str) -> int:
    """0 when everything recorded runs, 1 when some of it died, 3 when nothing runs."""
    state = load_state(instance)
    if state is None:
        print(f"instance {instance!r}: no state (never started here)")
        return EXIT_NOT_RUNNING
    table, running, expected = status_table(state)
    print(table)
    if running == 0:
        return EXIT_NOT_RUNNING
    return 0 if running == expected else 1


def stop(instance: str) -> int:
    """Stop the instance's owner (if it is a devstack CLI) and every recorded
    process, then verify that none of them is left."""
    state = load_state(instance)
    if state is None:
        say(f"instance {instance!r}: nothing recorded, nothing to stop")
        return 0
    was_running = [t.name for t in stop_targets(state) if t.alive()]
    owner = owner_ref(state)
    by_cli = state["owner"] is not None and state["owner"]["kind"] == "cli"
    if owner is not None and by_cli and owner_alive(state):
        # The supervisor stops its children in order and records it.
        say(f"asking devstack (pid {owner.pid}) to stop ...")
        os.kill(owner.pid, signal.SIGTERM)
        deadline = time.monotonic() + _OWNER_STOP_WAIT_S
        while is_alive(owner) and time.monotonic() < deadline:
            time.sleep(0.1)
    targets = [t for t in stop_targets(state) if t.alive()]
    services = [t for t in targets if t.name not in INFRA]
    infra = [t for t in targets if t.name in INFRA]
    survivors = stop_processes(services) + stop_processes(infra)
    with lock_if_unowned(instance) as unowned:
        if unowned:  # nobody else writes the state now; record the stop
            fresh = load_state(instance) or state
            fresh["status"] = "stopped"
            save_state(fresh)
    if survivors:
        raise DevstackError(f"still running after SIGKILL: {', '.join(survivors)}")
    say(f"instance {instance!r} stopped ({', '.join(was_running) or 'nothing was running'})")
    return 0


def logs(instance: str, component: str | None, follow: bool, lines: int) -> int:
    """Print the last ``lines`` lines of one or all logs; ``follow`` like tail -f."""
    directory = logs_dir(instance)
    available = sorted(p.stem for p in directory.glob("*.log")) if directory.is_dir() else []
    if not available:
        raise DevstackError(f"no logs for instance {instance!r} yet (in {directory})")
    if component is not None and component not in available:
        raise DevstackError(f"no log {component!r}; available: {', '.join(available)}")
    names = [component] if component else available
    paths = {name: directory / f"{name}.log" for name in names}
    prefix = len(names) > 1
    for name, path in paths.items():
        if prefix:
            print(f"==> {name} ({path}) <==")
        print(_tail_lines(path, lines), flush=True)
    if follow:
        try:
            _follow(paths, prefix)
        except KeyboardInterrupt:
            return 0
    return 0


def _tail_lines(path: Path, lines: int) -> str:
    data = path.read_text(errors="replace")
    return "\n".join(data.splitlines()[-lines:])


def _follow(paths: dict[str, Path], prefix: bool) -> None:
    offsets = {name: path.stat().st_size for name, path in paths.items()}
    while True:
        for name, path in paths.items():
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if size < offsets[name]:  # truncated: the component was restarted
                offsets[name] = 0
            if size == offsets[name]:
                continue
            with path.open("rb") as f:
                f.seek(offsets[name])
                chunk = f.read().decode("utf-8", errors="replace")
                offsets[name] = f.tell()
            for line in chunk.splitlines():
                sys.stdout.write(f"[{name}] {line}\n" if prefix else f"{line}\n")
            sys.stdout.flush()
        time.sleep(0.3)
