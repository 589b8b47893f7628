from datetime import timedelta
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CareTeamSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_TEAM_", env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "care_team"
    default_port: ClassVar[int] = 8003

    # Consumers of the prescriptions topic in this process (one group: Kafka gives each its
    # own partitions, so a patient's events stay in order). While one batch waits on
    # PostgreSQL another is worked on: on the 2-core bench machine 2 applied ~15 % more EHR
    # events/s than 1, and 3 (one per partition) 15-20 % more than 2 (make bench runs the
    # pipeline with 3). Each start-up then waits for more rebalances of the group (about a
    # heartbeat each), hence 1 by default.
    prescription_consumers: int = Field(default=1, ge=1)
    # Prescription changes over HTTP share a transaction when they arrive together (group
    # commit, shared/group_commit.py): at most this many per transaction, this many
    # transactions at once (one commits while the next is read and applied).
    change_batch_max: int = Field(default=64, ge=1)
    change_batch_workers: int = Field(default=2, ge=1)
    # How often to look for patients whose washout ended (their conflicts then resolve).
    reevaluation_interval_s: float = Field(default=30.0, gt=0)

    # Webhooks: a failing delivery is retried with exponential backoff (full jitter, from the
    # initial delay up to the cap) until the retry window after its first attempt has passed,
    # then dead-lettered; each attempt gives up after the timeout.
    webhook_retry_window_hours: float = Field(default=24.0, gt=0)
    webhook_initial_backoff_s: float = Field(default=1.0, gt=0)
    webhook_max_backoff_s: float = Field(default=3600.0, gt=0)
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_poll_interval_s: float = Field(default=0.5, gt=0)

    # Live notification stream (SSE): a comment line this often keeps proxies from closing an
    # idle stream; the retry hint tells browsers how soon to reconnect; the poll interval
    # applies only while the process's LISTEN connection is down.
    stream_heartbeat_s: float = Field(default=15.0, gt=0)
    stream_retry_ms: int = Field(default=3000, ge=0)
    stream_poll_interval_s: float = Field(default=2.0, gt=0)
    # Connections reserved for the streams' reads, so writes queueing never delay delivery.
    stream_pool_size: int = Field(default=2, ge=1)
    # Urgent notifications unacknowledged this long are re-sent, then handed on to the next
    # clinician (env: seconds or ISO 8601, e.g. PT30M); the loops look this often for due
    # escalations, digests and ends of quiet hours.
    escalation_after: timedelta = Field(default=timedelta(minutes=30), gt=timedelta(0))
    notification_loop_interval_s: float = Field(default=30.0, gt=0)
    # Deliveries in flight at once per instance (each to a different subscription), so a
    # slow receiver holds up only its own queue.
    webhook_max_concurrency: int = Field(default=16, ge=1)
