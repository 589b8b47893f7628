"""`carecoord`: developer commands.

    carecoord token --sub dr-okafor --kind clinician --role psychiatrist
    carecoord token --sub p-17 --kind patient --ttl 30m
    carecoord token --sub ehr-epic --kind service

Tokens are HS256, signed with JWT_SECRET (the development secret by default),
so the services started by `make run` accept them.
"""

import argparse
import os
import re
import sys
from datetime import timedelta

from shared.auth import PrincipalKind, mint_token
from shared.settings import DEV_JWT_SECRET

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration like 30m, 8h or 7d: {text!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carecoord", description="carecoord developer commands")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a development bearer token")
    token.add_argument("--sub", required=True, help="subject: a clinician, patient or service id")
    token.add_argument(
        "--kind", required=True, choices=[k.value for k in PrincipalKind], help="principal kind"
    )
    token.add_argument("--role", action="append", default=[], help="a role (repeatable)")
    token.add_argument("--ttl", type=parse_duration, default=timedelta(hours=8), help="e.g. 8h")
    token.add_argument("--issuer", default=os.environ.get("JWT_ISSUER"))
    token.add_argument("--audience", default=os.environ.get("JWT_AUDIENCE"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "token":
        secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
        print(
            mint_token(
                secret,
                subject=args.sub,
                kind=PrincipalKind(args.kind),
                roles=args.role,
                ttl=args.ttl,
                issuer=args.issuer,
                audience=args.audience,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
