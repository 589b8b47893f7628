"""``python -m devstack``: local Kafka, PostgreSQL and the services, no Docker."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from devstack import cli_manage, cli_run
from devstack.errors import DevstackError
from devstack.kafka_jars import KAFKA_VERSION, ensure_kafka_libs

EPILOG = """\
environment: DEVSTACK_KAFKA_PORT (9092), DEVSTACK_KAFKA_CONTROLLER_PORT (broker+1),
DEVSTACK_PG_PORT (free), DEVSTACK_KAFKA_HEAP (1g), DIARY_PORT / SCHEDULING_PORT /
CARE_TEAM_PORT (8001-8003), DATABASE_URL (use it instead of a local PostgreSQL),
PG_BIN (PostgreSQL binaries), CARECOORD_CACHE_DIR (<repo>/.cache).

exit codes: 0 ok, 1 error (one line, plus a log tail where it helps), 2 usage,
3 `status`: nothing running, 130 interrupted before everything was ready.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Run carecoord's Kafka, PostgreSQL and services locally without Docker.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--instance", default="dev", help="instance name (default: dev)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    commands.add_parser(
        "run", parents=[common], help="start everything in the foreground; Ctrl-C stops it"
    )
    start = commands.add_parser(
        "start", parents=[common], help="start everything in the background, return when ready"
    )
    start.add_argument("--timeout", type=float, default=cli_run.STARTUP_TIMEOUT)
    commands.add_parser(
        "infra", parents=[common], help="only Kafka+PostgreSQL, in the foreground; prints exports"
    )
    commands.add_parser("status", parents=[common], help="what runs (pids, ports, alive)")
    commands.add_parser("stop", parents=[common], help="stop everything of the instance")
    logs = commands.add_parser("logs", parents=[common], help="show (or follow) logs")
    logs.add_argument("component", nargs="?", help="kafka, postgres, diary, ... (default: all)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.add_argument("-n", "--lines", type=int, default=40, help="lines of history (40)")
    commands.add_parser("fetch", help=f"only download the Kafka {KAFKA_VERSION} jars (Maven)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Readiness probes expect refused connections; keep aiokafka's errors off the terminal.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return _dispatch(args)
    except DevstackError as error:
        print(error.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _fetch(args: argparse.Namespace) -> int:
    libs = ensure_kafka_libs()
    print(f"Kafka {KAFKA_VERSION}: {len(list(libs.glob('*.jar')))} jars in {libs}")
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "fetch": _fetch,
    "run": lambda a: cli_run.foreground(a.instance, with_services=True),
    "infra": lambda a: cli_run.foreground(a.instance, with_services=False),
    "start": lambda a: cli_run.start_detached(a.instance, timeout=a.timeout),
    "status": lambda a: cli_manage.status(a.instance),
    "stop": lambda a: cli_manage.stop(a.instance),
    "logs": lambda a: cli_manage.logs(a.instance, a.component, a.follow, a.lines),
}


def _dispatch(args: argparse.Namespace) -> int:
    return _COMMANDS[args.command](args)
