"""What one batch's transaction (a Kafka batch's, or one HTTP prescription change's: a batch
of one) may remember between its events: a clinician's notification preferences, whether
they have an active webhook, whose streams were already woken, a locked patient's team, the
notifications routed so far. Read at the first need inside the transaction, as one event's
transaction would; gone with the transaction (the memo lives as long as
prescriptions.changes_of's block)."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.care_team.domain.conflicts import OpenConflict
from services.care_team.domain.delivery import Preferences
from services.care_team.domain.engine.model import Intake, PatientProfile
from services.care_team.domain.prescriptions import Prescription
from services.care_team.notification_batch import PendingNotification


@dataclass
class ConflictWrites:
    """Statements' arguments (conflict_writes): the conflicts the batch flagged, each in its
    latest state; updates and resolutions of those open before, in order."""

    inserts: dict[UUID, list[Any]] = field(default_factory=dict)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    resolutions: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class BatchMemo:
    preferences: dict[str, Preferences] = field(default_factory=dict)
    has_webhook: dict[str, bool] = field(default_factory=dict)
    woken: set[tuple[str, str]] = field(default_factory=set)  # (channel, recipient)
    # Patient -> the team (clinician -> role); patients are locked, so only this batch's own
    # changes (team.add_member) alter a team, and they update it here.
    teams: dict[str, dict[str, str]] = field(default_factory=dict)
    # Read for every patient of the batch when they are locked (batch_prefetch): a profile
    # changes only with the patient locked, diary doses only in the diary consumer's
    # transaction, which locks the patient too.
    locked: set[str] = field(default_factory=set)
    profiles: dict[str, PatientProfile] = field(default_factory=dict)
    doses: dict[str, list[Intake]] = field(default_factory=dict)  # since the batch's look-back
    # Also read when the patients are locked: their lists (active and recently stopped
    # prescriptions, with every row the batch's events name) and open conflicts. Changed
    # here by the batch's events and written at its end (working_set).
    lists: dict[str, dict[str, Prescription]] = field(default_factory=dict)  # patient -> id ->
    named: dict[str, Prescription | None] = field(default_factory=dict)  # id -> row (None: none)
    open_conflicts: dict[str, dict[UUID, OpenConflict]] = field(default_factory=dict)
    saved: dict[str, Prescription] = field(default_factory=dict)  # id -> its last state
    conflict_writes: ConflictWrites = field(default_factory=ConflictWrites)
    # Written at the batch's end: prescribers joining a locked patient's team (patient,
    # clinician, role, source), change records in order, each patient's next re-evaluation.
    members_added: list[tuple[str, str, str, str]] = field(default_factory=list)
    changes: list[tuple[Any, ...]] = field(default_factory=list)
    # Ids of the events HTTP commands made and applied here: claimed for the prescriptions
    # consumer at the end, so it skips them when they come back from Kafka.
    applied_at_source: list[str] = field(default_factory=list)
    reevaluations: dict[str, datetime | None] = field(default_factory=dict)
    # Routed but not yet written: the batch writes them all at its end (notification_batch).
    notifications: list[PendingNotification] = field(default_factory=list)


_current: ContextVar[BatchMemo | None] = ContextVar("care_team_batch_memo", default=None)


@contextlib.contextmanager
def remembering() -> Iterator[BatchMemo]:
    token = _current.set(BatchMemo())
    try:
        yield _current.get() or BatchMemo()
    finally:
        _current.reset(token)


def team_changed(patient_id: str, clinician_id: str, role: str | None) -> None:
    """Keep a remembered team current: `role` None when the clinician left it."""
    memo = _current.get()
    if memo is None or patient_id not in memo.teams:
        return
    if role is None:
        memo.teams[patient_id].pop(clinician_id, None)
    else:
        memo.teams[patient_id][clinician_id] = role


def current() -> BatchMemo | None:
    """The batch's memo; None outside one (other commands read everything afresh)."""
    return _current.get()
