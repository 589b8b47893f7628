from datetime import UTC, datetime, timedelta


class TestClock:
    """Time the test moves forward (washouts last weeks); starts at the real now."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (aware), e.g. to replay a diary logged months ago."""
        self._now = moment
