from datetime import timedelta

import pytest

from shared.auth import Principal, PrincipalKind, TokenVerifier
from shared.cli import main, parse_duration
from shared.settings import DEV_JWT_SECRET


async def test_token_command_mints_a_token_the_services_accept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert (
        main(["token", "--sub", "dr-okafor", "--kind", "clinician", "--role", "psychiatrist"]) == 0
    )
    token = capsys.readouterr().out.strip()
    principal = await TokenVerifier(secret=DEV_JWT_SECRET).verify(token)
    assert principal == Principal("dr-okafor", PrincipalKind.CLINICIAN, frozenset({"psychiatrist"}))


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["token", "--sub", "x", "--kind", "admin"])


@pytest.mark.parametrize(
    ("text", "expected"), [("30m", timedelta(minutes=30)), ("7d", timedelta(days=7))]
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
