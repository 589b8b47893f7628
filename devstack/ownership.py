"""One owner process per instance: an flock held while it runs, so that a
state.json whose lock is free describes a dead run whose leftovers we may kill."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from devstack.console import say
from devstack.errors import DevstackError
from devstack.paths import run_dir
from devstack.processes import Child, stop_processes
from devstack.state import (
    ComponentRecord,
    State,
    load_state,
    new_state,
    save_state,
    stop_targets,
)

INFRA = ("kafka", "postgres")


class InstanceClaim:
    """This process owns ``instance`` until every user has released it."""

    def __init__(self, instance: str, fd: int) -> None:
        self.instance = instance
        self._fd = fd
        self.users = 1

    def close(self) -> None:
        os.close(self._fd)  # closing the descriptor drops the flock


_claims: dict[str, InstanceClaim] = {}
# Guards _claims and every read-modify-write of a claimed state.json.
_lock = threading.RLock()


def claim_instance(instance: str, kind: str) -> InstanceClaim:
    """Take (or share, within this process) ownership of ``instance``.

    The first claim cleans up processes left by a previous owner that died
    without stopping them (SIGKILL, OOM, power loss) and starts a fresh state.
    """
    with _lock:
        claim = _claims.get(instance)
        if claim is not None:
            claim.users += 1
            return claim
        directory = run_dir(instance)
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / "instance.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _in_use_error(instance) from None
        try:
            clean_up_leftovers(instance)
        except BaseException:
            os.close(fd)
            raise
        save_state(new_state(instance, kind))
        claim = _claims[instance] = InstanceClaim(instance, fd)
        return claim


def release_instance(claim: InstanceClaim) -> None:
    """Drop one user; the last one marks the state stopped and unlocks."""
    with _lock:
        claim.users -= 1
        if claim.users > 0 or _claims.get(claim.instance) is not claim:
            return
        state = load_state(claim.instance)
        if state is not None:
            state["status"] = "stopped"
            save_state(state)
        del _claims[claim.instance]
        claim.close()


def update_state(instance: str, change: Callable[[State], None]) -> None:
    """Apply ``change`` to the state of an instance this process has claimed."""
    with _lock:
        state = load_state(instance) or new_state(instance, "library")
        change(state)
        save_state(state)


def record_child(instance: str, child: Child, url: str, ports: dict[str, int]) -> None:
    """Write a child's pid down as soon as it is spawned: if we are killed
    while waiting for it to be ready, the next start finds and stops it."""
    record = ComponentRecord(
        pid=child.ref.pid,
        start_time=child.ref.start_time,
        stop_signal=child.stop_signal,
        url=url,
        ports=ports,
        log=str(child.log_path),
    )
    update_state(instance, lambda s: s["components"].__setitem__(child.name, record))


def mark_ready(instance: str) -> None:
    def change(state: State) -> None:
        state["status"] = "ready"

    update_state(instance, change)


def clean_up_leftovers(instance: str) -> list[str]:
    """Stop every still-running process recorded in the instance's state
    (services first, then Kafka and PostgreSQL). Returns their names."""
    state = load_state(instance)
    if state is None:
        return []
    services = [t for t in stop_targets(state) if t.alive() and t.name not in INFRA]
    infra = [t for t in stop_targets(state) if t.alive() and t.name in INFRA]
    names = [t.name for t in services + infra]
    if names:
        say(f"stopping {', '.join(names)} left running by an earlier run of {instance!r}")
    survivors = stop_processes(services) + stop_processes(infra)
    if survivors:
        raise DevstackError(f"could not stop leftover processes: {', '.join(survivors)}")
    return names


@contextmanager
def lock_if_unowned(instance: str) -> Iterator[bool]:
    """Hold the instance lock for the block when no live process owns the
    instance (yields False, holding nothing, when one does)."""
    directory = run_dir(instance)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / "instance.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)


def _in_use_error(instance: str) -> DevstackError:
    state = load_state(instance)
    owner = state["owner"] if state else None
    who = f" by pid {owner['pid']} ({owner['kind']})" if owner else ""
    return DevstackError(
        f"instance {instance!r} is already in use{who}; stop it with "
        f"`python -m devstack stop --instance {instance}` or use another instance"
    )
