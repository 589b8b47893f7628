"""Human-readable views of an instance's state (run/start table, status)."""

from __future__ import annotations

import shlex

from devstack.ownership import INFRA
from devstack.paths import logs_dir
from devstack.processes import is_alive
from devstack.state import State, component_ref, owner_alive


def endpoints_table(state: State) -> str:
    """What runs where, for `run` and `start`."""
    components = state["components"]
    lines = [f"devstack instance {state['instance']!r}:"]
    if "kafka" in components:
        lines.append(f"  {'Kafka bootstrap':<16} {components['kafka']['url']}")
    database = state["env"].get("DATABASE_URL")
    if database:
        lines.append(f"  {'DATABASE_URL':<16} {database}")
    for name, record in components.items():
        if name in INFRA:
            continue
        url = record["url"]
        lines.append(f"  {name:<16} {url}")
        lines.append(f"  {'':<16} docs {url}/docs   AsyncAPI {url}/docs/asyncapi")
    lines.append(f"  {'logs':<16} {logs_dir(state['instance'])}")
    return "\n".join(lines)


def env_exports(state: State) -> str:
    """``export K=V`` lines for a shell (`eval "$(...)"` friendly)."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in sorted(state["env"].items()))


def status_table(state: State) -> tuple[str, int, int]:
    """The status view plus (running, expected) process counts."""
    owner = state["owner"]
    if owner is None:
        who = "no owner"
    else:
        alive = "alive" if owner_alive(state) else "gone"
        kind = "devstack CLI" if owner["kind"] == "cli" else "Python API"
        who = f"owner pid {owner['pid']} ({kind}, {alive})"
    status = state["status"]
    if owner is not None and status != "stopped" and not owner_alive(state):
        status += " (its owner died; `python -m devstack stop` cleans up)"
    lines = [f"instance {state['instance']!r}: {status}; {who}"]
    lines.append(f"  {'COMPONENT':<12} {'PID':>7}  {'STATE':<8} ENDPOINT")
    running = expected = 0
    for name, record in state["components"].items():
        ref = component_ref(record)
        if ref is None:
            pid, alive_text = "-", "external"
        else:
            expected += 1
            up = is_alive(ref)
            running += up
            pid, alive_text = str(ref.pid), "running" if up else "stopped"
        ports = ", ".join(f"{k} {v}" for k, v in record["ports"].items())
        suffix = f"  ({ports})" if ports else ""
        lines.append(f"  {name:<12} {pid:>7}  {alive_text:<8} {record['url']}{suffix}")
    return "\n".join(lines), running, expected
