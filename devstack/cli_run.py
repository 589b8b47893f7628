"""`run`, `infra` and `start`: bring an instance up, in the foreground or detached."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

from devstack.console import say
from devstack.errors import DevstackError
from devstack.infra import Infra, start_infra_as
from devstack.kafka_jars import ensure_kafka_libs
from devstack.ownership import mark_ready
from devstack.paths import logs_dir, repo_root
from devstack.processes import Child, log_tail
from devstack.report import endpoints_table, env_exports
from devstack.services import SERVICES, Services, start_services_as
from devstack.state import load_state, owner_alive

DEFAULT_KAFKA_PORT = 9092
STARTUP_TIMEOUT = 180.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(KeyboardInterrupt):
    """SIGTERM/SIGHUP, handled exactly like Ctrl-C (also by asyncio)."""


def env_port(name: str) -> int | None:
    """A port from the environment, or None when the variable is unset."""
    value = os.environ.get(name)
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise DevstackError(f"{name}={value!r} is not a TCP port")
    return int(value)


def foreground(instance: str, *, with_services: bool) -> int:
    """Start everything, print where it runs, wait for Ctrl-C/SIGTERM, stop it all."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in _STOP_SIGNALS}
    infra: Infra | None = None
    services: Services | None = None
    ready = False
    code = 1
    try:
        kafka_port = env_port("DEVSTACK_KAFKA_PORT") or DEFAULT_KAFKA_PORT
        controller_port = env_port("DEVSTACK_KAFKA_CONTROLLER_PORT") or kafka_port + 1
        pg_port = env_port("DEVSTACK_PG_PORT")
        service_ports = {s.name: env_port(s.port_env) or s.default_port for s in SERVICES}
        ensure_kafka_libs()
        say(f"starting Kafka and PostgreSQL for instance {instance!r} ...")
        infra = start_infra_as(
            "cli",
            instance,
            kafka_port,
            controller_port,
            pg_port,
            database_url=None,
            kafka_heap=None,
            fresh=False,
            timeout=STARTUP_TIMEOUT,
        )
        if with_services:
            say("starting the services ...")
            services = start_services_as(
                "cli",
                infra.kafka_bootstrap_servers,
                infra.database_url,
                instance=instance,
                ports=service_ports,
                specs=SERVICES,
                extra_env={},
                timeout=STARTUP_TIMEOUT,
            )
        mark_ready(instance)
        ready = True
        _announce(instance, with_services)
        _watch(infra.children + (services.children if services else []))
    except KeyboardInterrupt as interrupt:
        reason = "SIGTERM/SIGHUP" if isinstance(interrupt, StopRequested) else "Ctrl-C"
        say(f"{reason}: stopping ...")
        code = 0 if ready else 130
    except DevstackError as error:
        print(error.render(), file=sys.stderr, flush=True)  # before the stop messages
    finally:
        _stop_all(services, infra)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise StopRequested


def _announce(instance: str, with_services: bool) -> None:
    state = load_state(instance)
    assert state is not None
    if with_services:
        print(endpoints_table(state), flush=True)
    else:
        print(env_exports(state), flush=True)
    say("ready; Ctrl-C (or SIGTERM) stops everything")


def _watch(children: list[Child]) -> None:
    """Block until a child dies on its own (then fail loudly) or we are signalled."""
    while True:
        for child in children:
            code = child.exit_code()
            if code is not None:
                raise DevstackError(
                    f"{child.name} exited unexpectedly with code {code}; stopping the rest",
                    log_path=child.log_path,
                    log_tail=log_tail(child.log_path),
                )
        time.sleep(0.5)


def _stop_all(services: Services | None, infra: Infra | None) -> None:
    # A second Ctrl-C must not abort the shutdown halfway and orphan processes.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _still_stopping)
    names = []
    if services is not None:
        services.stop()
        names += [c.name for c in services.children]
    if infra is not None:
        infra.stop()
        names += [c.name for c in infra.children]
    # (When startup was interrupted, start_*_as already stopped what it had begun.)
    say(f"stopped {', '.join(names) or 'everything'}; nothing left running")


def _still_stopping(signum: int, frame: FrameType | None) -> None:
    say("still stopping, please wait ...")


def start_detached(instance: str, timeout: float = STARTUP_TIMEOUT) -> int:
    """Run `python -m devstack run` in the background; return once it is ready."""
    state = load_state(instance)
    if state is not None and owner_alive(state) and state["status"] == "ready":
        say(f"instance {instance!r} is already running")
        print(endpoints_table(state))
        return 0
    ensure_kafka_libs()  # here, so first-run download progress shows on this terminal
    log_path = logs_dir(instance) / "devstack.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "devstack", "run", "--instance", instance],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=repo_root(),
            start_new_session=True,  # survives this terminal and our exit
        )
    say(f"starting instance {instance!r} in the background (pid {supervisor.pid}) ...")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if supervisor.poll() is not None:
            raise DevstackError(
                f"the background devstack exited with code {supervisor.returncode}",
                log_path=log_path,
                log_tail=log_tail(log_path, 20),
            )
        state = load_state(instance)
        if (
            state is not None
            and state["owner"] is not None
            and state["owner"]["pid"] == supervisor.pid
            and state["status"] == "ready"
        ):
            print(endpoints_table(state))
            say(f"running in the background; `python -m devstack stop --instance {instance}`")
            return 0
        time.sleep(0.2)
    supervisor.terminate()  # it stops what it started
    supervisor.wait(60)
    raise DevstackError(
        f"instance {instance!r} was not ready after {timeout:.0f}s", log_path=log_path
    )
