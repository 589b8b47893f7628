"""Resolving the Kafka broker's jars from Maven Central, once per version."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from devstack.errors import DevstackError
from devstack.paths import kafka_dir, maven_repo_dir

KAFKA_VERSION = "4.4.0"
KAFKA_FILES = Path(__file__).with_name("kafka")
POM_TEMPLATE = KAFKA_FILES / "pom.xml"
LOG4J2_CONFIG = KAFKA_FILES / "log4j2.properties"

_MARKER = "libs.complete"
_PROGRESS_EVERY_S = 5.0


def kafka_libs_dir(version: str = KAFKA_VERSION) -> Path:
    return kafka_dir(version) / "libs"


def kafka_libs_ready(version: str = KAFKA_VERSION) -> bool:
    """True once a fetch finished; the marker is written after the rename."""
    return (kafka_dir(version) / _MARKER).is_file() and kafka_libs_dir(version).is_dir()


def ensure_kafka_libs(version: str = KAFKA_VERSION, *, out: TextIO | None = None) -> Path:
    """Return ``<cache>/kafka/<version>/libs``, running Maven only the first time.

    Progress goes to ``out`` (stderr by default): Maven's own lines on a
    terminal, a periodic one-line count otherwise (CI logs stay short).
    """
    if kafka_libs_ready(version):
        return kafka_libs_dir(version)
    home = kafka_dir(version)
    home.mkdir(parents=True, exist_ok=True)
    with _exclusive(home / "fetch.lock"):
        # Someone else (e.g. a parallel `make install`) may have just finished.
        if not kafka_libs_ready(version):
            _fetch(version, home, out or sys.stderr)
    return kafka_libs_dir(version)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fetch(version: str, home: Path, out: TextIO) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DevstackError(
            "mvn (Apache Maven) is not on PATH; devstack needs it once to download "
            "the Kafka jars (apt-get install maven)"
        )
    if shutil.which("java") is None:
        raise DevstackError("java is not on PATH; Kafka 4.x needs Java 17+")
    partial = home / "libs.partial"
    shutil.rmtree(partial, ignore_errors=True)
    pom = home / "pom.xml"
    shutil.copyfile(POM_TEMPLATE, pom)
    argv = [
        mvn,
        "-B",
        "-f",
        str(pom),
        f"-Dmaven.repo.local={maven_repo_dir()}",
        f"-Dkafka.version={version}",
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    print(
        f"devstack: resolving Kafka {version} jars with Maven into {home} "
        "(first run only; downloads from Maven Central)",
        file=out,
        flush=True,
    )
    started = time.monotonic()
    log_path = home / "maven.log"
    code = _run_with_progress(argv, home, log_path, out, started)
    if code != 0:
        raise DevstackError(
            f"Maven could not resolve Kafka {version} (exit code {code}); "
            "is Maven Central reachable?",
            log_path=log_path,
            log_tail=_maven_errors(log_path),
        )
    jars = _check_jars(partial, version)
    final = kafka_libs_dir(version)
    shutil.rmtree(final, ignore_errors=True)
    partial.replace(final)
    (home / _MARKER).write_text(f"kafka {version}: {len(jars)} jars\n")
    elapsed = time.monotonic() - started
    print(
        f"devstack: Kafka {version}: {len(jars)} jars ready in {final} ({elapsed:.0f}s)",
        file=out,
        flush=True,
    )


def _run_with_progress(
    argv: list[str], cwd: Path, log_path: Path, out: TextIO, started: float
) -> int:
    stream_all = out.isatty()
    files = jars = 0
    last_report = started
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.write(line)
                if "Downloaded from" in line:
                    files += 1
                    jars += ".jar " in line
                if stream_all:
                    out.write(line)
                elif time.monotonic() - last_report >= _PROGRESS_EVERY_S:
                    last_report = time.monotonic()
                    print(
                        f"devstack: ... {files} files downloaded ({jars} jars), "
                        f"{last_report - started:.0f}s",
                        file=out,
                        flush=True,
                    )
        except BaseException:
            proc.kill()  # e.g. Ctrl-C: do not leave Maven running
            proc.wait()
            raise
        return proc.wait()


def _maven_errors(log_path: Path) -> str:
    lines = log_path.read_text(errors="replace").splitlines()
    errors = [line for line in lines if line.startswith("[ERROR]")]
    return "\n".join((errors or lines)[-15:])


def _check_jars(libs: Path, version: str) -> list[Path]:
    """Guard against a mixed classpath: every Kafka module at ``version``."""
    jars = sorted(libs.glob("*.jar"))
    if not (libs / f"kafka_2.13-{version}.jar").is_file():
        raise DevstackError(f"Maven finished but kafka_2.13-{version}.jar is missing")
    mixed = [j.name for j in jars if j.name.startswith("kafka") and f"-{version}." not in j.name]
    if mixed:
        raise DevstackError(f"Kafka jars at mixed versions: {', '.join(mixed)}")
    return jars
