"""Bodies of the clinician notification inbox."""

from pydantic import AwareDatetime, BaseModel, Field

from shared.events.notifications import NotificationData


class InboxNotification(NotificationData):
    read_at: AwareDatetime | None = Field(description="When I read it (acknowledging reads it)")
    acknowledged_at: AwareDatetime | None = Field(
        description="When I acknowledged it: this is what stops an urgent one escalating"
    )


class InboxPage(BaseModel):
    items: list[InboxNotification]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last"
    )
