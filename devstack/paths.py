"""Where devstack keeps its cache, jars and per-instance run state."""

from __future__ import annotations

import os
import re
from pathlib import Path

from devstack.errors import DevstackError

CACHE_ENV = "CARECOORD_CACHE_DIR"
_INSTANCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def repo_root() -> Path:
    """The checkout that contains this package (falls back to the cwd when
    devstack runs from an installed wheel, i.e. without a pyproject.toml)."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return Path.cwd()


def cache_dir() -> Path:
    """``$CARECOORD_CACHE_DIR`` or ``<repo root>/.cache``."""
    override = os.environ.get(CACHE_ENV)
    return Path(override).expanduser().resolve() if override else repo_root() / ".cache"


def maven_repo_dir() -> Path:
    """Maven's local repository; kept in the cache so CI can cache one folder."""
    return cache_dir() / "m2"


def kafka_dir(version: str) -> Path:
    """Holds ``libs/`` (the broker classpath) for one Kafka version."""
    return cache_dir() / "kafka" / version


def check_instance_name(instance: str) -> str:
    """Instance names become directory names, so keep them boring."""
    if not _INSTANCE_RE.match(instance):
        raise DevstackError(f"invalid instance name {instance!r} (letters, digits, '.', '_', '-')")
    return instance


def run_dir(instance: str) -> Path:
    """``<cache>/run/<instance>``: state.json, logs/, kafka/ and postgres/."""
    return cache_dir() / "run" / check_instance_name(instance)


def logs_dir(instance: str) -> Path:
    return run_dir(instance) / "logs"
