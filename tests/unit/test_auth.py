from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import (
    InvalidToken,
    Principal,
    PrincipalKind,
    TokenVerifier,
    may_access_patient,
    mint_token,
)

SECRET = "test-secret-of-sufficient-length-32b"


async def test_minted_token_verifies_to_its_principal() -> None:
    token = mint_token(
        SECRET, subject="dr-okafor", kind=PrincipalKind.CLINICIAN, roles=["psychiatrist"]
    )
    principal = await TokenVerifier(secret=SECRET).verify(token)
    assert principal == Principal("dr-okafor", PrincipalKind.CLINICIAN, frozenset({"psychiatrist"}))


@pytest.mark.parametrize(
    "token",
    [
        mint_token(SECRET, subject="p-1", kind=PrincipalKind.PATIENT, ttl=timedelta(seconds=-5)),
        mint_token("another-secret-of-sufficient-len", subject="p-1", kind=PrincipalKind.PATIENT),
        jwt.encode({"sub": "p-1", "exp": 9999999999}, SECRET, algorithm="HS256"),  # no kind
        jwt.encode({"sub": "p-1", "kind": "admin", "exp": 9999999999}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "p-1", "kind": "patient"}, SECRET, algorithm="HS256"),  # no exp
        "not-a-jwt",
    ],
    ids=["expired", "wrong-secret", "no-kind", "unknown-kind", "no-exp", "garbage"],
)
async def test_invalid_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=SECRET).verify(token)


async def test_a_remembered_token_still_expires_and_a_forged_one_is_not_taken_for_it() -> None:
    now = [1_900_000_000.0]  # 2030: the first check (by PyJWT, on the real clock) passes
    verifier = TokenVerifier(secret=SECRET, clock=lambda: now[0])
    claims = {"sub": "dr-okafor", "kind": "clinician", "exp": now[0] + 60}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert (await verifier.verify(token)).subject == "dr-okafor"
    assert (await verifier.verify(token)).subject == "dr-okafor"  # remembered
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(InvalidToken):
        await verifier.verify(forged)
    now[0] += 61
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_alg_none_is_refused() -> None:
    token = jwt.encode({"sub": "x", "kind": "service", "exp": 9999999999}, "", algorithm="none")
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=SECRET).verify(token)


async def test_rs256_with_configured_public_key_and_audience() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    claims = {"sub": "ehr", "kind": "service", "exp": 9999999999, "aud": "carecoord", "iss": "idp"}
    token = jwt.encode(claims, key, algorithm="RS256")
    verifier = TokenVerifier(public_key=public_pem, audience="carecoord", issuer="idp")
    assert (await verifier.verify(token)).kind is PrincipalKind.SERVICE
    with pytest.raises(InvalidToken):  # an HS256 token signed with the public key text
        await verifier.verify(jwt.encode(claims, "x" * 32, algorithm="HS256"))
    with pytest.raises(InvalidToken):
        await TokenVerifier(public_key=public_pem, audience="other").verify(token)


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (Principal("ehr", PrincipalKind.SERVICE), True),
        (Principal("p-1", PrincipalKind.PATIENT), True),
        (Principal("p-2", PrincipalKind.PATIENT), False),
        (Principal("dr-on-team", PrincipalKind.CLINICIAN), True),
        (Principal("dr-elsewhere", PrincipalKind.CLINICIAN), False),
    ],
)
def test_only_the_patient_their_team_and_services_may_access(
    principal: Principal, allowed: bool
) -> None:
    assert may_access_patient(principal, "p-1", {"dr-on-team"}) is allowed
