"""Request dependencies of the diary's routes."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def request_time(request: Request) -> datetime:
    """The service clock's now (a test clock in tests): one reading per request."""
    clock: Clock = request.app.state.clock
    return clock()


NowDep = Annotated[datetime, Depends(request_time)]
