"""The benchmark sections, imported in the order of the results table.

To add one: a module here that calls bench.core.section.register(Section(...)), and
its import below.
"""

from bench.sections import (
    diary,
    engine,
    faststream_loop,
    kafka_limit,
    notification_latency,
    pipeline,
    postgres_limit,
    slots,
)

__all__ = [
    "diary",
    "engine",
    "faststream_loop",
    "kafka_limit",
    "notification_latency",
    "pipeline",
    "postgres_limit",
    "slots",
]
