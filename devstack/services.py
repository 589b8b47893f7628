"""Public API: run the carecoord services as subprocesses against given
Kafka/PostgreSQL endpoints and wait until each answers GET /ready with 200."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from devstack.handles import ChildrenHandle
from devstack.ownership import (
    InstanceClaim,
    claim_instance,
    mark_ready,
    record_child,
)
from devstack.paths import logs_dir, repo_root
from devstack.ports import HOST, pick_port
from devstack.processes import spawn
from devstack.readiness import Probe, run_sync, wait_until_ready

DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # also the log file name and the state.json key
    module: str  # run as `python -m <module>`
    port_env: str  # the variable the service reads its port from
    default_port: int  # used by the CLI; the API picks free ports


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("diary", "services.diary", "DIARY_PORT", 8001),
    ServiceSpec("scheduling", "services.scheduling", "SCHEDULING_PORT", 8002),
    ServiceSpec("care_team", "services.care_team", "CARE_TEAM_PORT", 8003),
)


class Services(ChildrenHandle):
    """Running services; ``urls`` maps service name to its base URL."""

    stop_grace = 10.0

    def __init__(self, instance: str, claim: InstanceClaim) -> None:
        super().__init__(instance, claim)
        self.urls: dict[str, str] = {}


def start_services(
    kafka_bootstrap_servers: str,
    database_url: str,
    *,
    instance: str = "test",
    ports: Mapping[str, int] | None = None,
    specs: Sequence[ServiceSpec] = SERVICES,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Services:
    """Start every service in ``specs`` and wait until all report ready.

    ``ports`` maps service names to ports; missing ones get a free port.
    Logs go to ``<run dir>/logs/<name>.log``. Raises DevstackError (with the
    failing service's log tail) after stopping what it started.
    """
    return start_services_as(
        "library",
        kafka_bootstrap_servers,
        database_url,
        instance=instance,
        ports=ports or {},
        specs=specs,
        extra_env=extra_env or {},
        timeout=timeout,
    )


def start_services_as(
    owner_kind: str,
    kafka_bootstrap_servers: str,
    database_url: str,
    *,
    instance: str,
    ports: Mapping[str, int],
    specs: Sequence[ServiceSpec],
    extra_env: Mapping[str, str],
    timeout: float,
) -> Services:
    """start_services, recording who owns the instance (the CLI passes "cli")."""
    claim = claim_instance(instance, owner_kind)
    services = Services(instance, claim)
    try:
        chosen = {s.name: pick_port(ports.get(s.name), s.name, f"set {s.port_env}") for s in specs}
        env = {
            **os.environ,
            **extra_env,
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",  # so the log shows a crash's last words
        }
        for spec in specs:
            env[spec.port_env] = str(chosen[spec.name])
        for spec in specs:
            child = spawn(
                spec.name,
                [sys.executable, "-m", spec.module],
                log_path=logs_dir(instance) / f"{spec.name}.log",
                env=env,
                cwd=repo_root(),
            )
            services.children.append(child)
            url = f"http://{HOST}:{chosen[spec.name]}"
            services.urls[spec.name] = url
            record_child(instance, child, url, {"http": chosen[spec.name]})
        run_sync(lambda: _wait_all(services, timeout))
    except BaseException:
        services.stop()
        raise
    if owner_kind == "library":
        mark_ready(instance)
    return services


async def _wait_all(services: Services, limit: float) -> None:
    # trust_env=False: an HTTP(S)_PROXY from the environment must not see 127.0.0.1.
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:

        def probe(url: str) -> Probe:
            async def ready() -> bool:
                response = await client.get(f"{url}/ready")
                return response.status_code == 200

            return ready

        await asyncio.gather(
            *(
                wait_until_ready(
                    f"service {child.name} ({services.urls[child.name]}/ready)",
                    probe(services.urls[child.name]),
                    child=child,
                    limit=limit,
                )
                for child in services.children
            )
        )
