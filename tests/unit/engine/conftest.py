import pytest

from services.care_team.domain.engine import ConflictEngine


@pytest.fixture(scope="session")
def engine() -> ConflictEngine:
    """The packaged knowledge, loaded once (the engine is immutable)."""
    return ConflictEngine.load()
