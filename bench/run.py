"""`make bench`: every benchmark section in one run, one table, one JSON, PNG plots.

    python -m bench.run [--only limits,faststream] [--quick] [--out bench-results] [--list]

Kafka and PostgreSQL: KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL when both are set, else
devstack starts its instance "bench" and stops it at the end (as the tests do).
Ratios are taken between figures of the same run only: the machine is shared and
absolute numbers are noisy.
"""

import argparse
import asyncio
import os
import sys
import time
import traceback
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench.core import versions
from bench.core.model import SectionResult
from bench.core.plots import draw
from bench.core.progress import Progress
from bench.core.report import RunReport, SectionOutcome, write_json
from bench.core.section import REGISTRY, BenchContext, Need, Section, ordered, select
from bench.core.table import build_rows, render_table
from devstack.endpoints import Endpoints, environment_or_devstack

DEFAULT_OUT = Path("bench-results")
QUICK_SCALE = 0.1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--only",
        default=os.environ.get("ONLY", ""),
        help="comma-separated section names or groups (default: all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"scale every workload by {QUICK_SCALE} (a smoke run)"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="workload scale (1.0 = full)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="results folder: results.json and the PNG plots",
    )
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import bench.sections  # noqa: F401 - registers the sections, in table order

    args = parse_args(argv)
    if args.list:
        for s in ordered(REGISTRY.values()):
            print(f"{s.part}. {s.name:<16} {s.group:<11} ~{s.budget_s:4.0f} s  {s.title}")
        return 0
    try:
        sections = select(args.only.split(","))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    scale = QUICK_SCALE if args.quick else args.scale
    needs: set[Need] = {need for s in sections for need in s.needs}
    with ExitStack() as stack:
        endpoints = None
        if needs:
            print(
                "== finding Kafka and PostgreSQL (devstack starts them if the "
                "environment names none)",
                file=sys.stderr,
            )
            endpoints = stack.enter_context(environment_or_devstack("bench"))
        report = _report(endpoints, needs, scale)
        print(f"carecoord bench · {versions.header(report.machine, report.versions)}")
        _run_sections(sections, report, endpoints, args.out, scale)
    return _finish(report, args.out)


def _report(endpoints: Endpoints | None, needs: set[Need], scale: float) -> RunReport:
    found = {"python": str(versions.machine()["python"])}
    if endpoints and "kafka" in needs:
        found["kafka"] = versions.kafka_version(endpoints.kafka_bootstrap_servers)
    if endpoints and "postgres" in needs:
        found["postgresql"] = asyncio.run(versions.postgres_version(endpoints.database_url))
    found.update(versions.package_versions())
    return RunReport(
        started_at=datetime.now(UTC),
        machine=versions.machine(),
        versions=found,
        infrastructure=endpoints.how if endpoints else "none",
        scale=scale,
    )


def _run_sections(
    sections: list[Section],
    report: RunReport,
    endpoints: Endpoints | None,
    out_dir: Path,
    scale: float,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with Progress(len(sections)) as progress:
        context = BenchContext(
            kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers if endpoints else "",
            database_url=endpoints.database_url if endpoints else "",
            scale=scale,
            out_dir=out_dir,
            progress=progress,
        )
        for section in sections:
            progress.section(section.name)
            started = time.monotonic()
            error = None
            try:
                # A fresh event loop per section: nothing one leaves behind slows the next.
                result: SectionResult = asyncio.run(section.run(context))
            except Exception as exc:
                result = SectionResult()
                error = "".join(traceback.format_exception_only(exc)).strip()
                traceback.print_exc(file=sys.stderr)
            duration = time.monotonic() - started
            context.measured.update((f.key, f) for f in result.figures)
            report.sections.append(
                SectionOutcome(
                    section.name,
                    section.group,
                    section.title,
                    duration,
                    section.budget_s * scale,
                    result,
                    error,
                )
            )
            status = f"FAILED: {error}" if error else f"{len(result.figures)} figures"
            progress.done(f"{status} (budget {section.budget_s * scale:.0f} s)")
        report.duration_s = progress.elapsed()


def _finish(report: RunReport, out_dir: Path) -> int:
    rows = build_rows((s.name, s.result.figures) for s in report.sections)
    subtitle = versions.header(report.machine, report.versions)
    for outcome in report.sections:
        for plot in outcome.result.plots:
            outcome.plot_files.append(str(draw(plot, out_dir, subtitle)))
    document = report.to_json(rows)
    write_json(out_dir / "results.json", document)
    print()
    print(render_table(rows))
    notes = [f"{s.name}: {note}" for s in report.sections for note in s.result.notes]
    if notes:
        print("\nnotes:\n" + "\n".join(f"  {n}" for n in notes))
    failed = [s.name for s in report.sections if s.error]
    print(
        f"\n{len(rows)} figures in {report.duration_s:.0f} s (scale {report.scale}); "
        f"results: {out_dir / 'results.json'}; plots: "
        f"{sum(len(s.plot_files) for s in report.sections)} PNG in {out_dir}/"
    )
    if failed:
        print(f"FAILED sections: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
