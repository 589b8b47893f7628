"""Bearer-JWT authentication and the patient-access rule every service applies.

Development: HS256 with a shared secret (`carecoord token` mints tokens).
Deployment: RS256/ES256 with a configured public key or a JWKS URL.
"""

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import anyio.to_thread
import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class PrincipalKind(StrEnum):
    CLINICIAN = "clinician"
    PATIENT = "patient"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    subject: str
    kind: PrincipalKind
    roles: frozenset[str] = frozenset()


class InvalidToken(Exception):
    pass


# Verified tokens remembered (a client sends the same bearer token with every request; a
# signature check costs more than the rest of authentication). Bounded; cleared when full.
VERIFIED_CACHE_SIZE = 4096


class TokenVerifier:
    def __init__(
        self,
        *,
        secret: str | None = None,
        public_key: str | None = None,
        jwks_url: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not (secret or public_key or jwks_url):
            raise ValueError("configure a JWT secret, public key or JWKS URL")
        self._secret = secret
        self._public_key = public_key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        # token -> (principal, valid from, valid until): its claims never change.
        self._verified: dict[str, tuple[Principal, float, float]] = {}

    async def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, not_before, expires = remembered
            now = self._clock()
            if now >= expires:
                del self._verified[token]
                raise InvalidToken("Signature has expired")
            if now >= not_before:
                return principal
        principal, not_before, expires = await self._verify_signed(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, not_before, expires)
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, float, float]:
        try:
            key, algorithms = await self._key_for(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["sub", "exp"], "verify_aud": self._audience is not None},
            )
            principal = Principal(
                subject=str(claims["sub"]),
                kind=PrincipalKind(claims.get("kind", "")),
                roles=frozenset(str(r) for r in claims.get("roles", ())),
            )
            return principal, float(claims.get("nbf", 0)), float(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc

    async def _key_for(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            # PyJWKClient fetches over blocking HTTP (then caches): keep it off the loop.
            signing_key = await anyio.to_thread.run_sync(self._jwks.get_signing_key_from_jwt, token)
            return signing_key.key, ["RS256", "ES256"]
        if self._public_key is not None:
            return self._public_key, ["RS256", "ES256"]
        return self._secret, ["HS256"]


def mint_token(
    secret: str,
    *,
    subject: str,
    kind: PrincipalKind,
    roles: Collection[str] = (),
    ttl: timedelta = timedelta(hours=8),
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """An HS256 development token."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "kind": kind.value,
        "roles": sorted(roles),
        "iat": now,
        "exp": now + ttl,
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A carecoord JWT (`carecoord token --help`)")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None:
        raise unauthorized
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken:
        raise unauthorized from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def may_access_patient(
    principal: Principal, patient_id: str, care_team: Collection[str] = ()
) -> bool:
    """Only the patient, their care team, and trusted integrations see a patient's data."""
    match principal.kind:
        case PrincipalKind.SERVICE:
            return True
        case PrincipalKind.PATIENT:
            return principal.subject == patient_id
        case PrincipalKind.CLINICIAN:
            return principal.subject in care_team
    return False
