"""Finding PostgreSQL binaries, the account to run them as, and a data
directory that account can actually reach."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devstack.console import say
from devstack.errors import DevstackError
from devstack.paths import run_dir
from devstack.processes import RunAs

FALLBACK_ACCOUNT = "carecoord"
# sockaddr_un.sun_path is 108 bytes including the NUL terminator.
_MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class PgBinaries:
    bin_dir: Path
    major: int

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)


@dataclass(frozen=True)
class PgLayout:
    root: Path  # owned by the account that runs postgres
    data_dir: Path  # per major version: a 16 server cannot open 15 data
    socket_dir: Path


def find_pg_binaries() -> PgBinaries:
    """``$PG_BIN``, then ``pg_config --bindir``, then the highest
    /usr/lib/postgresql/*/bin, then the binaries bundled in the pgserver wheel."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        if not _has_server(Path(explicit)):
            raise DevstackError(f"PG_BIN={explicit} has no initdb/postgres executables")
        return _describe(Path(explicit))
    for candidate in _candidates():
        if _has_server(candidate):
            return _describe(candidate)
    raise DevstackError(
        "no PostgreSQL server binaries found: set DATABASE_URL or PG_BIN, "
        "install postgresql, or `uv sync --extra devstack` (pgserver wheel)"
    )


def _candidates() -> list[Path]:
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            found.append(Path(result.stdout.strip()))
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    found += sorted(debian, key=lambda p: _version_key(p.parent.name), reverse=True)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        found.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    return found


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def _has_server(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / tool, os.X_OK) for tool in ("initdb", "postgres"))


def _describe(bin_dir: Path) -> PgBinaries:
    result = subprocess.run(
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    match = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    if result.returncode != 0 or match is None:
        raise DevstackError(f"{bin_dir}/postgres --version failed: {result.stderr.strip()}")
    return PgBinaries(bin_dir, int(match.group(1)))


def pg_account() -> RunAs | None:
    """None unless we are root: initdb and postgres refuse to run as root, so
    use ``postgres`` if it exists, else a system user ``carecoord``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_ACCOUNT):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return RunAs(name, entry.pw_uid, entry.pw_gid)
    useradd = shutil.which("useradd") or "useradd"
    result = subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", FALLBACK_ACCOUNT],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise DevstackError(
            f"running as root and no 'postgres' user; creating system user "
            f"{FALLBACK_ACCOUNT!r} failed: {result.stderr.strip()}"
        )
    say(f"created system user {FALLBACK_ACCOUNT!r} to run PostgreSQL (it refuses root)")
    entry = pwd.getpwnam(FALLBACK_ACCOUNT)
    return RunAs(FALLBACK_ACCOUNT, entry.pw_uid, entry.pw_gid)


def pg_layout(instance: str, binaries: PgBinaries, run_as: RunAs | None) -> PgLayout:
    """``<run dir>/postgres`` if ``run_as`` can reach it (and the socket path
    fits), else /tmp/carecoord-pg-<hash of that path>."""
    preferred = run_dir(instance) / "postgres"
    reason = _unusable_reason(preferred, binaries, run_as)
    if reason is None:
        return _layout(preferred, binaries)
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"carecoord-pg-{digest}"
    say(f"PostgreSQL data in {fallback} instead of {preferred}: {reason}")
    reason = _unusable_reason(fallback, binaries, run_as)
    if reason is not None:
        raise DevstackError(f"no usable PostgreSQL data directory: {reason}")
    return _layout(fallback, binaries)


def _layout(root: Path, binaries: PgBinaries) -> PgLayout:
    return PgLayout(root, root / f"data-{binaries.major}", root / "socket")


def _unusable_reason(root: Path, binaries: PgBinaries, run_as: RunAs | None) -> str | None:
    socket_path = root / "socket" / ".s.PGSQL.65535"
    if len(str(socket_path)) > _MAX_SOCKET_PATH:
        return f"the unix socket path under {root} would be too long"
    root.mkdir(parents=True, exist_ok=True)
    (root / "socket").mkdir(exist_ok=True)
    if run_as is None:
        return None
    owner = root.stat().st_uid
    if owner not in (0, run_as.uid):
        return f"{root} belongs to uid {owner}"
    _chown_tree(root, run_as)
    # Ask as that user: permission bits, ACLs and every parent directory count.
    test = shutil.which("test") or "/usr/bin/test"
    try:
        probe = subprocess.run(
            [test, "-w", str(root), "-a", "-x", str(root), "-a", "-x", binaries.tool("postgres")],
            user=run_as.uid, group=run_as.gid, extra_groups=[], check=False,
        )  # fmt: skip
    except OSError as exc:
        raise DevstackError(f"cannot check access as user {run_as.name!r}: {exc}") from exc
    if probe.returncode != 0:
        return f"user {run_as.name!r} cannot reach it or run {binaries.bin_dir}/postgres"
    return None


def _chown_tree(root: Path, run_as: RunAs) -> None:
    """Hand the tree to ``run_as``; skipped when its top level already
    belongs to it (the usual case after the first run)."""
    if root.stat().st_uid == run_as.uid and all(
        child.stat().st_uid == run_as.uid for child in root.iterdir()
    ):
        return
    for path in [root, *root.rglob("*")]:
        os.lchown(path, run_as.uid, run_as.gid)
