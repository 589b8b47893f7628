"""The machine and the versions every figure is printed with."""

import os
import platform
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import asyncpg

PACKAGES = ("aiokafka", "faststream", "asyncpg", "pydantic", "fastapi")
_JAR_VERSION = re.compile(r"kafka_2\.13-(\d+\.\d+\.\d+)\.jar$")


def machine() -> dict[str, str | int]:
    return {
        "cores": os.cpu_count() or 0,
        "usable_cores": len(os.sched_getaffinity(0)),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
    }


def package_versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


async def postgres_version(database_url: str) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        # "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
        return str(await conn.fetchval("SHOW server_version")).split()[0]
    finally:
        await conn.close()


def kafka_version(bootstrap_servers: str) -> str:
    """The broker's version, read from the classpath of the local `kafka.Kafka` process
    listening on the bootstrap port (the Kafka protocol does not tell a client the
    broker's release). "unknown" for a broker on another machine or in a container."""
    port = bootstrap_servers.split(",", maxsplit=1)[0].rsplit(":", 1)[-1]
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        argv = [a.decode(errors="replace") for a in args if a]
        if "kafka.Kafka" not in argv:
            continue
        config = argv[argv.index("kafka.Kafka") + 1 :]
        if not config or not _listens_on(Path(config[0]), port):
            continue
        for jar_version in _classpath_versions(argv):
            return jar_version
    return "unknown"


def _listens_on(properties: Path, port: str) -> bool:
    try:
        text = properties.read_text()
    except OSError:
        return False
    return any(line.startswith("listeners=") and f":{port}" in line for line in text.splitlines())


def _classpath_versions(argv: list[str]) -> list[str]:
    if "-cp" not in argv:
        return []
    versions = []
    for entry in argv[argv.index("-cp") + 1].split(":"):
        jars = Path(entry[:-2]).glob("*.jar") if entry.endswith("/*") else [Path(entry)]
        versions += [m.group(1) for jar in jars if (m := _JAR_VERSION.search(jar.name))]
    return versions


def header(machine_info: dict[str, str | int], versions: dict[str, str]) -> str:
    cores = machine_info["cores"]
    listed = " · ".join(f"{name} {v}" for name, v in versions.items())
    return f"{cores} cores ({machine_info['platform']}) · {listed}"
