"""The benchmark phases: bake, issue tokens, serve the project and its reference variants, and measure.

Every server, the issuer and the client pool are entered into an ExitStack, so
they stop when a phase ends or fails. All traffic stays on 127.0.0.1.
"""

import contextlib
import json
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis

from .issuer import LocalIssuer, TokenMinter
from .load import BatchResult, LoadGenerator, VariantStats
from .project import (
    GunicornServer,
    clean_environment,
    copy_template,
    env_file_value,
    install_project_files,
    project_slug,
    run_manage,
    run_test_suite,
    time_bakes,
)

SUBJECT = "auth0|benchmark-user"
SCOPE = "read:messages"
TARGET_BAKE_SECONDS = 0.5
TARGET_RATIO = 0.95
CHECK_TIMEOUT = 60
WARM_UP_ATTEMPTS = 20


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Parameters:
    """Request counts and switches of one run, as given on the command line."""

    bakes: int
    clients: int
    rounds: int
    requests: int
    reference_a_share: float
    warmup: int
    jwks_requests: int
    memory_requests: int
    flood: int
    redis_url: str
    profile: str
    profile_requests: int


@dataclass(frozen=True)
class Variant:
    """One measured line of the throughput table: a server, a path and how tokens are chosen."""

    key: str
    label: str
    server: str
    path: str
    tokens: str  # "none", "repeated" (one token) or "distinct" (a new pre-minted token per request)
    share: float = 1.0


# Servers of the throughput comparison, each with one gunicorn sync worker. None
# runs the project's own settings module, anything else is a BENCH_VARIANT of bench_settings.py.
THROUGHPUT_SERVERS = {
    "generated": None,
    "reference_a": "fetch_per_request",
    "reference_b": "db_user_per_request",
    "verified_cache_off": "verified_cache_off",
    "all_savings_off": "all_savings_off",
}

VARIANTS = (
    Variant("public", "public", "generated", "/api/public", "none"),
    Variant("private", "private", "generated", "/api/private", "repeated"),
    Variant("private_scoped", "private-scoped", "generated", "/api/private-scoped", "repeated"),
    Variant("private_fresh", "private, fresh token", "generated", "/api/private", "distinct"),
    Variant("private_scoped_fresh", "private-scoped, fresh token", "generated", "/api/private-scoped", "distinct"),
    Variant("reference_a", "ref (a) JWKS fetch per request", "reference_a", "/api/private", "repeated", share=0.25),
    Variant("reference_b", "ref (b) DB user per request", "reference_b", "/api/private", "repeated"),
    Variant("verified_cache_off", "verified-token cache off", "verified_cache_off", "/api/private", "repeated"),
    Variant("all_savings_off", "all three savings off", "all_savings_off", "/api/private", "repeated"),
)
TARGETED_VARIANTS = ("private", "private_scoped")


def rotated(items: tuple, shift: int) -> tuple:
    shift %= len(items)
    return items[shift:] + items[:shift]


def mib(size: int) -> float:
    return round(size / 2**20, 1)


class BenchmarkRun:
    """State shared by the phases of one run: the baked project, the issuer, tokens and the client pool."""

    def __init__(self, parameters: Parameters, work_dir: Path, stack: contextlib.ExitStack) -> None:
        self.parameters = parameters
        self.work_dir = work_dir
        self.stack = stack
        self.results: dict[str, Any] = {}
        self.problems: list[str] = []
        self.secret_key = secrets.token_urlsafe(48)

    # Phase 1: bake and the generated test suite.

    def bake(self) -> None:
        p = self.parameters
        log(f"Baking the template {p.bakes} times with cookiecutter --no-input ...")
        template = copy_template(self.work_dir / "template")
        bakes = time_bakes(template, self.work_dir / "bakes", p.bakes)
        log(f"Running the generated test suite in {bakes.project_dir} ...")
        suite = run_test_suite(bakes.project_dir)
        if not suite.passed:
            self.problems.append(f"the generated test suite failed: {suite.summary}")

        self.results["bake"] = {
            "bake_seconds": [round(seconds, 3) for seconds in bakes.seconds],
            "median_seconds": round(bakes.median, 3),
            "target_seconds": TARGET_BAKE_SECONDS,
            "target_met": bakes.median < TARGET_BAKE_SECONDS,
            "test_suite_seconds": round(suite.seconds, 2),
            "test_suite_passed": suite.passed,
            "test_suite_summary": suite.summary,
        }
        self.project_dir = bakes.project_dir
        self.slug = project_slug(self.project_dir)
        self.audience = env_file_value(self.project_dir, "AUTH0_API_IDENTIFIER")
        install_project_files(self.project_dir)

    # Phase 2: the issuer, the tokens and the client pool.

    def start_issuer(self) -> None:
        p = self.parameters
        self.issuer = self.stack.enter_context(LocalIssuer(self.work_dir))
        self.minter = TokenMinter(self.issuer, self.audience)
        log(f"Issuer listening at {self.issuer.url}; migrating the project database ...")
        run_manage(self.project_dir, self.environment(), "migrate", "--noinput")

        self.distinct_needed = max(self.fresh_tokens_needed(), p.jwks_requests)
        started = time.monotonic()
        self.repeated_token = self.minter.mint(SUBJECT, SCOPE)
        self.distinct_tokens = self.minter.mint_many(self.distinct_needed, SUBJECT, SCOPE)
        self.warmup_tokens = self.minter.mint_many(p.warmup * p.clients, SUBJECT, SCOPE)
        self.flood_tokens = self.minter.mint_unknown_kid(p.flood, SUBJECT, SCOPE)
        minted = 1 + len(self.distinct_tokens) + len(self.warmup_tokens) + len(self.flood_tokens)
        log(f"Minted {minted} tokens in {time.monotonic() - started:.1f} s")
        self.results["tokens"] = {
            "issuer": self.issuer.url,
            "audience": self.audience,
            "scope": SCOPE,
            "subject": SUBJECT,
            "distinct_tokens": len(self.distinct_tokens),
        }

        self.load = self.stack.enter_context(LoadGenerator(p.clients))

    def fresh_tokens_needed(self) -> int:
        p = self.parameters
        per_round = sum(self.per_client(variant) * p.clients for variant in VARIANTS if variant.tokens == "distinct")
        return per_round * p.rounds

    def per_client(self, variant: Variant) -> int:
        return max(1, round(self.parameters.requests * variant.share) // self.parameters.clients)

    def environment(self, variant: str | None = None, redis_url: str = "", **extra: str) -> dict[str, str]:
        environment = clean_environment()
        environment.update(
            {
                "DJANGO_SETTINGS_MODULE": f"{self.slug}.settings" if variant is None else "bench_settings",
                "BENCH_BASE_SETTINGS": f"{self.slug}.settings",
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": self.secret_key,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "AUTH0_DOMAIN": self.issuer.domain,
                "SSL_CERT_FILE": str(self.issuer.ca_file),
                **extra,
            }
        )
        if variant is not None:
            environment["BENCH_VARIANT"] = variant
        if redis_url:
            environment["REDIS_URL"] = redis_url
        return environment

    def start_server(
        self, stack: contextlib.ExitStack, name: str, workers: int = 1, variant: str | None = None, redis_url: str = ""
    ) -> GunicornServer:
        log(f"Starting gunicorn {name} ({workers} worker{'s' if workers > 1 else ''}) ...")
        server = GunicornServer(
            name, self.project_dir, self.work_dir, self.environment(variant, redis_url), workers=workers
        )
        stack.enter_context(server)
        if workers > 1:
            server.wait_for_workers()
        return server

    def expect(self, batch: BatchResult, status: int, description: str) -> None:
        unexpected = {code: count for code, count in batch.statuses.items() if code != status}
        if unexpected:
            self.problems.append(f"{description}: expected only status {status}, got {unexpected}")

    def warm_up(self, server: GunicornServer) -> None:
        """Load every code path once: public, a repeated token, and a few distinct tokens."""
        p = self.parameters
        self.expect(self.load.run(server.port, "/api/public", p.warmup), 200, f"warm-up of {server.name}")
        batch = self.load.run(server.port, "/api/private", p.warmup, [self.repeated_token])
        self.expect(batch, 200, f"warm-up of {server.name}")
        self.expect(self.load.run_distinct(server.port, "/api/private", self.warmup_tokens), 200, "warm-up")

    # Check that setting VERIFIED_CACHE_SIZE to 0 really turns the verified-token cache off.

    def check_verified_cache_switch(self) -> None:
        checks = {}
        for label, variant in (("as_generated", None), ("verified_cache_off", "verified_cache_off")):
            completed = subprocess.run(
                [sys.executable, "bench_check_verified_cache.py"],
                check=False,
                cwd=self.project_dir,
                env=self.environment(variant),
                input=json.dumps({"token": self.repeated_token, "jwk": self.issuer.jwk}),
                capture_output=True,
                text=True,
                timeout=CHECK_TIMEOUT,
            )
            if completed.returncode != 0:
                self.problems.append(f"the verified-token cache check failed: {completed.stderr[-1500:]}")
                return
            checks[label] = json.loads(completed.stdout.splitlines()[-1])

        disabled = (
            checks["verified_cache_off"]["signature_checks"] == 2 and checks["as_generated"]["signature_checks"] == 1
        )
        if not disabled:
            self.problems.append(f"VERIFIED_CACHE_SIZE = 0 does not turn the verified-token cache off: {checks}")
        self.results["verified_cache_switch"] = {"checks": checks, "size_zero_disables_cache": disabled}

    # Phases 3, 7 and 8: throughput of the project and of its reference variants, interleaved.

    def measure_throughput(self) -> None:
        p = self.parameters
        stats = {variant.key: VariantStats() for variant in VARIANTS}
        next_fresh = 0

        with contextlib.ExitStack() as servers_stack:
            servers = {
                name: self.start_server(servers_stack, f"throughput-{name}", variant=variant)
                for name, variant in THROUGHPUT_SERVERS.items()
            }
            for server in servers.values():
                self.warm_up(server)

            for round_index in range(p.rounds):
                started = time.monotonic()
                for variant in rotated(VARIANTS, round_index):
                    server = servers[variant.server]
                    per_client = self.per_client(variant)
                    cpu_before = server.worker_cpu_seconds()
                    if variant.tokens == "none":
                        batch = self.load.run(server.port, variant.path, per_client)
                    elif variant.tokens == "repeated":
                        batch = self.load.run(server.port, variant.path, per_client, [self.repeated_token])
                    else:
                        count = per_client * p.clients
                        tokens = self.distinct_tokens[next_fresh : next_fresh + count]
                        next_fresh += count
                        batch = self.load.run_distinct(server.port, variant.path, tokens)
                    self.expect(batch, 200, f"throughput of {variant.label}")
                    stats[variant.key].add(batch, server.worker_cpu_seconds() - cpu_before)
                log(f"Throughput round {round_index + 1}/{p.rounds} took {time.monotonic() - started:.1f} s")

        self.results["throughput"] = self.throughput_results(stats)

    def throughput_results(self, stats: dict[str, VariantStats]) -> dict[str, Any]:
        public = stats["public"]
        variants = {}
        for variant in VARIANTS:
            variant_stats = stats[variant.key]
            round_ratios = [
                rate / public_rate
                for rate, public_rate in zip(variant_stats.round_rates, public.round_rates, strict=True)
            ]
            variants[variant.key] = {
                "label": variant.label,
                "server": variant.server,
                "path": variant.path,
                "tokens": variant.tokens,
                "requests": variant_stats.requests,
                "seconds": round(variant_stats.seconds, 2),
                "requests_per_second": round(variant_stats.rate, 1),
                "p50_ms": round(variant_stats.percentile_ms(0.50), 2),
                "p99_ms": round(variant_stats.percentile_ms(0.99), 2),
                "worker_cpu_us_per_request": round(variant_stats.cpu_us_per_request, 1),
                "statuses": {str(code): count for code, count in sorted(variant_stats.statuses.items())},
                "ratio_to_public": round(variant_stats.rate / public.rate, 3),
                "round_ratio_median": round(statistics.median(round_ratios), 3),
                "round_ratio_min": round(min(round_ratios), 3),
                "round_ratio_max": round(max(round_ratios), 3),
                "cpu_ratio_to_public": round(public.cpu_us_per_request / variant_stats.cpu_us_per_request, 3),
            }
        targets = {key: variants[key]["round_ratio_median"] >= TARGET_RATIO for key in TARGETED_VARIANTS}
        return {"variants": variants, "target_ratio": TARGET_RATIO, "targets_met": targets}

    # Phases 4, 5 and 6 with one worker and the per-process (locmem) cache.

    def measure_single_worker(self) -> None:
        p = self.parameters
        before_warm_up = self.issuer.jwks_requests()
        with contextlib.ExitStack() as server_stack:
            server = self.start_server(server_stack, "locmem-1-worker")
            self.warm_up(server)
            counts = [self.issuer.jwks_requests()]
            rss = [server.worker_rss()]

            log(f"Sending {p.jwks_requests} requests with distinct tokens to one worker ...")
            batch = self.load.run_distinct(server.port, "/api/private", self.distinct_tokens[: p.jwks_requests])
            self.expect(batch, 200, "distinct tokens, one worker")
            counts.append(self.issuer.jwks_requests())
            rss.append(server.worker_rss())

            repeated = p.memory_requests - batch.requests
            log(f"Sending {repeated} requests with one repeated token to one worker ...")
            repeated_batch = self.load.run(server.port, "/api/private", repeated // p.clients, [self.repeated_token])
            self.expect(repeated_batch, 200, "repeated token, one worker")
            counts.append(self.issuer.jwks_requests())
            rss.append(server.worker_rss())

            flood = self.flood(server)

        self.results["jwks_single_worker"] = {
            "setting": "1 worker, locmem cache",
            "fetches_during_warm_up": counts[0] - before_warm_up,
            "requests": batch.requests,
            "fetches": counts[1] - counts[0],
            "fetches_per_10000": round((counts[1] - counts[0]) * 10_000 / batch.requests, 2),
            "fetches_during_repeated_requests": counts[2] - counts[1],
        }
        self.results["memory"] = {
            "setting": "1 worker, locmem cache",
            "rss_mib_after_warm_up": mib(rss[0]),
            "distinct_token_requests": batch.requests,
            "rss_mib_after_distinct_tokens": mib(rss[1]),
            "repeated_token_requests": repeated_batch.requests,
            "rss_mib_after_repeated_token": mib(rss[2]),
            "authenticated_requests": batch.requests + repeated_batch.requests,
            "growth_mib": mib(rss[2] - rss[0]),
        }
        self.results["flood"] = [
            {"setting": "1 worker, locmem cache", "bound": 1, "warm_up_fetches": counts[0] - before_warm_up, **flood}
        ]

    def flood(self, server: GunicornServer) -> dict[str, Any]:
        log(f"Flooding {server.name} with {len(self.flood_tokens)} unknown key ids ...")
        before = self.issuer.jwks_requests()
        batch = self.load.run_distinct(server.port, "/api/private", self.flood_tokens)
        self.expect(batch, 401, f"unknown key id flood on {server.name}")
        return {
            "tokens": len(self.flood_tokens),
            "fetches": self.issuer.jwks_requests() - before,
            "statuses": {str(code): count for code, count in sorted(batch.statuses.items())},
        }

    # Phase 5 with four workers, each with its own locmem cache.

    def measure_flood_four_workers_locmem(self) -> None:
        workers = 4
        before_warm_up = self.issuer.jwks_requests()
        with contextlib.ExitStack() as server_stack:
            server = self.start_server(server_stack, "locmem-4-workers", workers=workers)
            # Each worker fetches the key set on its first token. A worker still without keys
            # would make that fetch during the flood and add one that the cooldown never governs.
            for _attempt in range(WARM_UP_ATTEMPTS):
                self.warm_up(server)
                if self.issuer.jwks_requests() - before_warm_up >= workers:
                    break
            else:
                self.problems.append(f"not every worker of {server.name} fetched the key set during warm-up")
            warm_up_fetches = self.issuer.jwks_requests() - before_warm_up
            flood = self.flood(server)
        self.results["flood"].append(
            {"setting": "4 workers, locmem cache", "bound": workers, "warm_up_fetches": warm_up_fetches, **flood}
        )

    # Phases 4 and 5 with four workers sharing Redis.

    def measure_redis(self) -> None:
        p = self.parameters
        url = p.redis_url
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            client.ping()
        except (redis.RedisError, OSError) as exc:
            log(f"Skipping the Redis measurements: {url} cannot be reached ({exc})")
            self.results["jwks_redis"] = {"skipped": f"{url} cannot be reached: {exc}"}
            client.close()
            return

        client.flushdb()
        try:
            with contextlib.ExitStack() as server_stack:
                before_warm_up = self.issuer.jwks_requests()
                server = self.start_server(server_stack, "redis-4-workers", workers=4, redis_url=url)
                self.warm_up(server)
                counts = [self.issuer.jwks_requests()]

                log(f"Sending {p.jwks_requests} requests with distinct tokens to four workers ...")
                tokens = self.distinct_tokens[: p.jwks_requests]
                batch = self.load.run_distinct(server.port, "/api/private", tokens)
                self.expect(batch, 200, "distinct tokens, four workers with Redis")
                counts.append(self.issuer.jwks_requests())
                flood = self.flood(server)
        finally:
            client.flushdb()
            client.close()

        self.results["jwks_redis"] = {
            "setting": "4 workers, shared Redis cache",
            "fetches_during_warm_up": counts[0] - before_warm_up,
            "requests": batch.requests,
            "fetches": counts[1] - counts[0],
            "fetches_per_10000": round((counts[1] - counts[0]) * 10_000 / batch.requests, 2),
        }
        self.results["flood"].append(
            {
                "setting": "4 workers, shared Redis cache",
                "bound": 1,
                "warm_up_fetches": counts[0] - before_warm_up,
                **flood,
            }
        )


def check_loopback(url: str) -> str:
    """Reject a Redis URL that points anywhere but 127.0.0.1."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise ValueError(f"--redis-url must point at 127.0.0.1, got {url}")
    return url
