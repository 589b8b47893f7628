"""Who may see and change a patient's data here: the care team, the patient (their own
list), and integrations. Everyone else gets 404, so existence is not revealed. Every
attempt is audited."""

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException, status

from shared.auth import Principal, PrincipalKind
from shared.db import Connection
from shared.events.care_team import TeamRole
from shared.events.prescriptions import Prescriber, PrescriberRole

PRESCRIBING_ROLES = frozenset(
    {TeamRole.HEADACHE_SPECIALIST, TeamRole.PSYCHIATRIST, TeamRole.PRIMARY_CARE}
)


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="no such patient")


# The team read and the attempt audited in one round trip; the outcome is decided the same
# way in SQL and below: allowed outright, or allowed when the principal is on the team.
_TEAM_AND_AUDIT = """
    WITH team AS (
        SELECT clinician_id, role FROM care_team_members
        WHERE patient_id = $1 AND removed_at IS NULL
    ), audited AS (
        INSERT INTO audit_log (actor_subject, actor_kind, action, patient_id, resource, outcome)
        SELECT $2, $3, $4, $1, $5,
               CASE WHEN $6 OR ($7 AND EXISTS (SELECT 1 FROM team WHERE clinician_id = $2))
                    THEN 'allowed' ELSE 'denied' END
    )
    SELECT clinician_id, role FROM team"""


def _rights(principal: Principal, patient_id: str, patient_may: bool) -> tuple[bool, bool]:
    """(allowed outright, allowed when on the patient's team)."""
    match principal.kind:
        case PrincipalKind.SERVICE:
            return True, False
        case PrincipalKind.CLINICIAN:
            return False, True
        case PrincipalKind.PATIENT:
            return patient_may and principal.subject == patient_id, False
        case _:
            return False, False


async def authorize_patient(
    conn: Connection,
    principal: Principal,
    patient_id: str,
    *,
    action: str,
    resource: str,
    patient_may: bool = False,
) -> dict[str, str]:
    """The patient's current team (clinician -> role) when the principal may proceed. The
    attempt is audited, a refusal too (outside any transaction of the caller's)."""
    outright, if_on_team = _rights(principal, patient_id, patient_may)
    rows = await conn.fetch(
        _TEAM_AND_AUDIT,
        patient_id, principal.subject, principal.kind.value, action, resource, outright,
        if_on_team,
    )  # fmt: skip
    team = {row["clinician_id"]: row["role"] for row in rows}
    if not (outright or (if_on_team and principal.subject in team)):
        raise not_found()
    return team


def acting_prescriber(principal: Principal, team: dict[str, str]) -> Prescriber:
    """The clinician making a prescription change: on the team, in a prescribing role."""
    return prescriber_in_role(principal, team.get(principal.subject))


def prescriber_in_role(principal: Principal, role: str | None) -> Prescriber:
    """The principal as a prescriber, given their role on the patient's team (or 403)."""
    if principal.kind is not PrincipalKind.CLINICIAN:
        role = None
    if role is None or role not in PRESCRIBING_ROLES:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="only a prescribing clinician on the care team may change prescriptions",
        )
    return Prescriber(id=principal.subject, role=PrescriberRole(role))


@dataclass(frozen=True)
class Attempt:
    principal: Principal
    patient_id: str
    action: str
    resource: str


# Many attempts decided and audited in one round trip (a batch of commands), as above.
_DECIDE_AND_AUDIT = """
    WITH attempt AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::bool[], $7::bool[])
            WITH ORDINALITY AS a(patient_id, subject, kind, action, resource, outright,
                                 if_on_team, n)
    ), decided AS (
        SELECT a.*, m.role, a.outright OR (a.if_on_team AND m.role IS NOT NULL) AS allowed
        FROM attempt a LEFT JOIN care_team_members m
          ON m.patient_id = a.patient_id AND m.clinician_id = a.subject
         AND m.removed_at IS NULL
    ), audited AS (
        INSERT INTO audit_log (actor_subject, actor_kind, action, patient_id, resource, outcome)
        SELECT subject, kind, action, patient_id, resource,
               CASE WHEN allowed THEN 'allowed' ELSE 'denied' END
        FROM decided ORDER BY n
    )
    SELECT allowed, role FROM decided ORDER BY n"""


async def authorize_many(
    conn: Connection, attempts: Sequence[Attempt]
) -> list[tuple[bool, str | None]]:
    """Per attempt, in order: whether the principal may proceed, and their role on the
    patient's team (None when not on it). Every attempt is audited, in the caller's
    transaction."""
    rights = [_rights(a.principal, a.patient_id, patient_may=False) for a in attempts]
    rows = await conn.fetch(
        _DECIDE_AND_AUDIT,
        [a.patient_id for a in attempts],
        [a.principal.subject for a in attempts],
        [a.principal.kind.value for a in attempts],
        [a.action for a in attempts],
        [a.resource for a in attempts],
        [outright for outright, _ in rights],
        [if_on_team for _, if_on_team in rights],
    )
    return [(row["allowed"], row["role"]) for row in rows]
