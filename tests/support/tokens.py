from shared.auth import PrincipalKind, mint_token
from shared.settings import DEV_JWT_SECRET


def bearer(
    subject: str, kind: PrincipalKind, *roles: str, secret: str = DEV_JWT_SECRET
) -> dict[str, str]:
    token = mint_token(secret, subject=subject, kind=kind, roles=roles)
    return {"Authorization": f"Bearer {token}"}


def service_auth(name: str = "ehr-integration") -> dict[str, str]:
    return bearer(name, PrincipalKind.SERVICE)


def patient_auth(patient_id: str) -> dict[str, str]:
    return bearer(patient_id, PrincipalKind.PATIENT)


def clinician_auth(clinician_id: str, role: str = "psychiatrist") -> dict[str, str]:
    return bearer(clinician_id, PrincipalKind.CLINICIAN, role)
