"""devstack's instance ownership: one owner, leftovers of a dead owner cleaned up."""

import subprocess
import sys
from pathlib import Path

import pytest

from devstack.errors import DevstackError
from devstack.ownership import claim_instance, record_child, release_instance
from devstack.processes import is_alive, spawn
from devstack.state import ComponentRecord, load_state, new_state, save_state, stop_targets


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECOORD_CACHE_DIR", str(tmp_path))


def _record(pid: int | None) -> ComponentRecord:
    return ComponentRecord(pid=pid, start_time=1, stop_signal=15, url="u", ports={}, log=None)


def test_state_round_trip_and_stop_order() -> None:
    state = new_state("unit", "library")
    for name in ("postgres", "diary", "kafka", "scheduling"):
        state["components"][name] = _record(1)
    state["components"]["external"] = _record(None)
    save_state(state)
    loaded = load_state("unit")
    assert loaded == state
    assert [t.name for t in stop_targets(loaded)] == ["diary", "scheduling", "postgres", "kafka"]


def test_claims_are_shared_within_a_process_and_exclusive_across() -> None:
    first = claim_instance("unit", "library")
    second = claim_instance("unit", "library")
    assert first is second
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from devstack.ownership import claim_instance; claim_instance('unit', 'cli')",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode != 0
    assert "already in use by pid" in other.stderr
    release_instance(second)
    release_instance(first)
    state = load_state("unit")
    assert state is not None and state["status"] == "stopped"


def test_leftovers_of_a_dead_owner_are_stopped_on_the_next_claim(tmp_path: Path) -> None:
    claim = claim_instance("unit", "library")
    child = spawn("kafka", [sys.executable, "-c", "import time; time.sleep(60)"],
                  log_path=tmp_path / "k.log")  # fmt: skip
    record_child("unit", child, "127.0.0.1:1", {"broker": 1})
    # Simulate a SIGKILLed owner: the lock goes away, the process and state stay.
    claim.close()
    from devstack import ownership

    ownership._claims.clear()
    claim = claim_instance("unit", "library")
    try:
        assert not is_alive(child.ref)
    finally:
        release_instance(claim)


def test_invalid_instance_names_are_refused() -> None:
    with pytest.raises(DevstackError, match="invalid instance name"):
        claim_instance("../etc", "library")
