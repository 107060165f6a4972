"""HTTP load from a pool of client processes, each sending a fixed number of GET requests.

Every request opens a new connection, because gunicorn's sync workers close the
connection after each response. Times come from time.monotonic(), which on
Linux is CLOCK_MONOTONIC and so comparable between processes.
"""

import http.client
import itertools
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0
# Status recorded when the connection fails before any response arrives.
CONNECTION_FAILED = 0


def get_status(port: int, path: str, token: str | None = None) -> int:
    """Send one GET on a new connection and return the response status, or CONNECTION_FAILED."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return CONNECTION_FAILED
    finally:
        connection.close()


@dataclass
class ClientResult:
    started: float
    finished: float
    latencies: list[float]
    statuses: dict[int, int]


def send_requests(port: int, path: str, tokens: Sequence[str], count: int) -> ClientResult:
    """Send `count` requests, cycling through `tokens` (none: no Authorization header)."""
    latencies = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for index in range(count):
        token = tokens[index % len(tokens)] if tokens else None
        request_started = time.monotonic()
        statuses[get_status(port, path, token)] += 1
        latencies.append(time.monotonic() - request_started)
    return ClientResult(started=started, finished=time.monotonic(), latencies=latencies, statuses=dict(statuses))


@dataclass
class BatchResult:
    """One burst of requests from every client at once."""

    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


@dataclass
class VariantStats:
    """Batches of one variant summed over rounds: throughput, server CPU time, latency and statuses."""

    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    round_rates: list[float] = field(default_factory=list)

    def add(self, batch: BatchResult, cpu_seconds: float) -> None:
        self.requests += batch.requests
        self.seconds += batch.seconds
        self.cpu_seconds += cpu_seconds
        self.latencies.extend(batch.latencies)
        self.statuses.update(batch.statuses)
        self.round_rates.append(batch.rate)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds * 1e6 / self.requests if self.requests else 0.0

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, int(fraction * len(ordered)))
        return ordered[index] * 1000.0


class LoadGenerator:
    """A fixed pool of client processes that send each batch of requests together."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        # spawn, not fork: the parent runs the issuer thread, and forking a threaded process is unsafe.
        self._pool = multiprocessing.get_context("spawn").Pool(clients)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, port: int, path: str, per_client: int, tokens: Sequence[str] = ()) -> BatchResult:
        """Send per_client requests from each client, all cycling through the same tokens (none: no token)."""
        return self.run_jobs(port, path, [(list(tokens), per_client)] * self.clients)

    def run_distinct(self, port: int, path: str, tokens: Sequence[str]) -> BatchResult:
        """Send every token exactly once, split as evenly as possible between the clients."""
        bounds = [len(tokens) * index // self.clients for index in range(self.clients + 1)]
        slices = [list(tokens[start:end]) for start, end in itertools.pairwise(bounds)]
        return self.run_jobs(port, path, [(token_slice, len(token_slice)) for token_slice in slices])

    def run_jobs(self, port: int, path: str, jobs: list[tuple[list[str], int]]) -> BatchResult:
        """Run one (tokens, request count) job per client at once and merge the results."""
        results = self._pool.starmap(send_requests, [(port, path, tokens, count) for tokens, count in jobs])

        statuses: Counter[int] = Counter()
        latencies: list[float] = []
        for result in results:
            statuses.update(result.statuses)
            latencies.extend(result.latencies)
        seconds = max(result.finished for result in results) - min(result.started for result in results)
        return BatchResult(
            requests=sum(statuses.values()), seconds=seconds, latencies=latencies, statuses=dict(statuses)
        )
