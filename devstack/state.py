"""state.json: what an instance runs (pids, ports, urls) for status, stop and
cleaning up after a run that was killed before it could clean up itself."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypedDict

from devstack.paths import run_dir
from devstack.processes import ProcessRef, StopTarget, is_alive, start_time_of


class ComponentRecord(TypedDict):
    pid: int | None  # None for something we did not start (DATABASE_URL given)
    start_time: int
    stop_signal: int
    url: str
    ports: dict[str, int]
    log: str | None


class OwnerRecord(TypedDict):
    pid: int
    start_time: int
    kind: str  # "cli" (python -m devstack run/infra) or "library" (e.g. pytest)


class State(TypedDict):
    instance: str
    status: str  # starting | ready | stopping | stopped
    owner: OwnerRecord | None
    components: dict[str, ComponentRecord]
    env: dict[str, str]


def state_path(instance: str) -> Path:
    return run_dir(instance) / "state.json"


def new_state(instance: str, kind: str) -> State:
    pid = os.getpid()
    owner = OwnerRecord(pid=pid, start_time=start_time_of(pid) or 0, kind=kind)
    return State(instance=instance, status="starting", owner=owner, components={}, env={})


def load_state(instance: str) -> State | None:
    """None when there is no (readable) state: nothing to show or clean up."""
    try:
        data = json.loads(state_path(instance).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
        return None
    data.setdefault("env", {})
    data.setdefault("owner", None)
    data.setdefault("status", "unknown")
    return data  # type: ignore[return-value]  # written by save_state below


def save_state(state: State) -> None:
    """Write atomically so a reader never sees half a file."""
    path = state_path(state["instance"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    tmp.replace(path)


def owner_ref(state: State) -> ProcessRef | None:
    owner = state["owner"]
    return ProcessRef(owner["pid"], owner["start_time"]) if owner else None


def owner_alive(state: State) -> bool:
    ref = owner_ref(state)
    return ref is not None and is_alive(ref)


def component_ref(record: ComponentRecord) -> ProcessRef | None:
    pid = record["pid"]
    return ProcessRef(pid, record["start_time"]) if pid is not None else None


def stop_targets(state: State, names: list[str] | None = None) -> list[StopTarget]:
    """The recorded processes (optionally only ``names``) as StopTargets,
    services first so they do not log errors about Kafka/PostgreSQL vanishing."""
    infra = ("kafka", "postgres")
    ordered = sorted(state["components"].items(), key=lambda item: item[0] in infra)
    targets = []
    for name, record in ordered:
        ref = component_ref(record)
        if ref is not None and (names is None or name in names):
            targets.append(StopTarget(name, ref, record["stop_signal"]))
    return targets
