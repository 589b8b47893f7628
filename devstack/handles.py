"""What start_infra/start_services return: a set of children to stop once."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from devstack import lifecycle
from devstack.console import say
from devstack.ownership import InstanceClaim, release_instance
from devstack.processes import Child, StopTarget, stop_processes


class ChildrenHandle:
    """Owns some children of one instance; ``stop()`` is idempotent, also
    usable as a context manager, and runs at exit/SIGTERM if nobody called it."""

    stop_grace = 20.0  # seconds between the stop signal and SIGKILL

    def __init__(self, instance: str, claim: InstanceClaim) -> None:
        self.instance = instance
        self.children: list[Child] = []
        self._claim = claim
        self._lock = threading.RLock()  # re-entrant: a signal may stop us mid-stop
        self._stopped = False
        lifecycle.register(self)

    def stop(self) -> None:
        """Stop the children and wait until they are gone (SIGKILL after
        ``stop_grace`` seconds). Safe to call more than once."""
        with self._lock:
            if self._stopped:
                return
            targets = [StopTarget(c.name, c.ref, c.stop_signal, c.popen) for c in self.children]
            survivors = stop_processes(targets, grace=self.stop_grace)
            if survivors:  # e.g. stuck in uninterruptible I/O; nothing more we can do
                say(f"could not stop {', '.join(survivors)} even with SIGKILL")
            self._stopped = True
            lifecycle.unregister(self)
            release_instance(self._claim)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
