"""Measure what Auth0 token authentication costs the generated project, in one run of a few minutes.

Usage, from the template root inside the test virtual environment:

    python benchmarks/run.py [--json FILE] [--markdown FILE]

It bakes the template, starts a local HTTPS issuer and several gunicorn servers
on 127.0.0.1, prints a plain text report, and writes the same numbers as JSON.
Everything it starts is stopped before it exits, and temporary files are removed.
"""

import argparse
import contextlib
import json
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import load_average, machine_info
from benchmarks.report import render_page, render_text
from benchmarks.suite import TARGET_RATIO, BenchmarkRun, Parameters, check_loopback, log

BENCHMARKS_DIR = Path(__file__).resolve().parent


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--json",
        type=Path,
        default=BENCHMARKS_DIR / "results" / "latest.json",
        help="JSON results file (default benchmarks/results/latest.json, which git ignores)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the output as a Markdown page, e.g. BENCHMARKS.md")
    parser.add_argument("--bakes", type=int, default=5, help="timed bakes; the median is reported (default 5)")
    parser.add_argument("--clients", type=int, default=2, help="client processes sending requests (default 2)")
    parser.add_argument("--rounds", type=int, default=10, help="throughput rounds (default 10)")
    parser.add_argument(
        "--requests", type=int, default=600, help="requests per variant per throughput round (default 600)"
    )
    parser.add_argument(
        "--reference-a-share",
        type=float,
        default=0.25,
        help="fraction of --requests for reference (a), which is slow (default 0.25)",
    )
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per client and path (default 100)")
    parser.add_argument(
        "--jwks-requests", type=int, default=10_000, help="distinct-token requests counted for JWKS fetches (default 10000)"
    )
    parser.add_argument(
        "--memory-requests", type=int, default=50_000, help="authenticated requests of the memory test (default 50000)"
    )
    parser.add_argument("--flood", type=int, default=1000, help="tokens with unknown key ids per flood (default 1000)")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/7", help="Redis database that the run FLUSHES and then uses (default redis://127.0.0.1:6379/7)"
    )
    parser.add_argument(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help=f"profile one worker: auto runs it when a targeted ratio is below {TARGET_RATIO}",
    )
    parser.add_argument(
        "--profile-requests", type=int, default=4000, help="requests per profiled server (default 4000)"
    )
    parser.add_argument("--keep-files", action="store_true", help="keep the temporary folder with logs and the project")
    arguments = parser.parse_args(argv)

    check_loopback(arguments.redis_url)
    if arguments.memory_requests <= arguments.jwks_requests:
        parser.error("--memory-requests must be larger than --jwks-requests, which are its distinct-token part")
    return arguments


def parameters_from(arguments: argparse.Namespace) -> Parameters:
    return Parameters(
        bakes=arguments.bakes,
        clients=arguments.clients,
        rounds=arguments.rounds,
        requests=arguments.requests,
        reference_a_share=arguments.reference_a_share,
        warmup=arguments.warmup,
        jwks_requests=arguments.jwks_requests,
        memory_requests=arguments.memory_requests,
        flood=arguments.flood,
        redis_url=arguments.redis_url,
        profile=arguments.profile,
        profile_requests=arguments.profile_requests,
    )


def run_phases(run: BenchmarkRun) -> None:
    run.bake()
    run.start_issuer()
    run.check_verified_cache_switch()
    run.measure_throughput()
    run.measure_single_worker()
    run.measure_flood_four_workers_locmem()
    run.measure_redis()

    targets_met = all(run.results["throughput"]["targets_met"].values())
    if run.parameters.profile == "always" or (run.parameters.profile == "auto" and not targets_met):
        from benchmarks.profiling import profile_authentication

        run.results["profile"] = profile_authentication(run)


def display_path(path: Path) -> str:
    """Name a file relative to the template root when it is inside it."""
    try:
        return str(path.resolve().relative_to(BENCHMARKS_DIR.parent))
    except ValueError:
        return str(path)


def stop_on_sigterm(signum: int, frame: object) -> None:
    # SystemExit unwinds the ExitStack, which stops every server this run started.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    parameters = parameters_from(arguments)
    signal.signal(signal.SIGTERM, stop_on_sigterm)

    work_dir = Path(tempfile.mkdtemp(prefix="auth0-benchmark-"))
    log(f"Temporary folder: {work_dir}")
    run = None
    try:
        with contextlib.ExitStack() as stack:
            run = BenchmarkRun(parameters, work_dir, stack)
            run.results["machine"] = machine_info()
            run.results["parameters"] = vars(parameters)
            run_phases(run)
    finally:
        if arguments.keep_files:
            log(f"Kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    run.results["machine"]["load_average_at_end"] = load_average()
    run.results["problems"] = run.problems
    text = render_text(run.results)
    print(text, end="")
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(run.results, indent=2) + "\n")
    log(f"Wrote {arguments.json}")
    if arguments.markdown:
        arguments.markdown.write_text(render_page(text, display_path(arguments.json)))
        log(f"Wrote {arguments.markdown}")
    return 1 if run.problems else 0


if __name__ == "__main__":
    sys.exit(main())
