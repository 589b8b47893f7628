from collections.abc import Iterator

import pytest

from tests.support.infrastructure import Endpoints, test_infrastructure


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    """Real Kafka and PostgreSQL for the whole session (see tests/support/infrastructure.py)."""
    with test_infrastructure() as endpoints:
        yield endpoints
