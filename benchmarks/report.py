"""Plain text tables of a run's results, and the BENCHMARKS.md page that contains them."""

from typing import Any

COMMAND = "python benchmarks/run.py"


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """Align columns: text to the left, numbers to the right."""
    cells = [headers] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    numeric = [all(is_number(row[column]) for row in rows) for column in range(len(headers))]

    lines = []
    for row in cells:
        parts = [
            cell.rjust(width) if is_right else cell.ljust(width)
            for cell, width, is_right in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  " + "  ".join(parts).rstrip())
    return lines


def is_number(value: Any) -> bool:
    text = str(value).replace(",", "").replace("+", "").replace("-", "", 1)
    return text.replace(".", "", 1).isdigit()


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def machine_lines(machine: dict[str, Any]) -> list[str]:
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    return [
        f"Date: {machine['date']}",
        (
            f"CPU: {machine['cpu_model']}, {machine['logical_cores']} logical cores "
            f"({machine['physical_cores']} physical), {machine['memory_gib']} GiB memory"
        ),
        f"Python: {machine['python']} on {machine['platform']}",
        (
            f"Load average (1, 5, 15 min): {machine['load_average_at_start']} at start, "
            f"{machine.get('load_average_at_end', 'unknown')} at end"
        ),
        f"Packages: {packages}",
    ]


def bake_lines(bake: dict[str, Any]) -> list[str]:
    bakes = ", ".join(f"{seconds:.3f}" for seconds in bake["bake_seconds"])
    return [
        "1. Bake and generated tests",
        (
            f"  cookiecutter --no-input (default answers): median {bake['median_seconds']:.3f} s of "
            f"{len(bake['bake_seconds'])} bakes ({bakes}); target < {bake['target_seconds']} s: "
            f"{verdict(bake['target_met'])}"
        ),
        (
            f"  generated test suite, pytest -q, one run: {bake['test_suite_seconds']:.2f} s wall time "
            f"({bake['test_suite_summary']})"
        ),
    ]


def throughput_lines(results: dict[str, Any]) -> list[str]:
    parameters = results["parameters"]
    throughput = results["throughput"]
    variants = throughput["variants"]
    lines = [
        "3. Throughput, with the reference implementations and the savings switched off:",
        "  gunicorn sync worker class, 1 worker per server, locmem cache, SQLite",
        f"  {parameters['clients']} client processes, a new connection per request, {parameters['rounds']} rounds;",
        "  each round runs every variant once, in an order rotated by one each round.",
        "  Latency includes queueing, because the clients share one worker. CPU is the worker's user + system time.",
    ]
    rows = [
        [
            variant["label"],
            variant["path"],
            variant["tokens"],
            f"{variant['requests']:,}",
            f"{variant['requests_per_second']:.0f}",
            f"{variant['p50_ms']:.2f}",
            f"{variant['p99_ms']:.2f}",
            f"{variant['worker_cpu_us_per_request']:.0f}",
        ]
        for variant in variants.values()
    ]
    lines += table(["variant", "path", "token", "requests", "req/s", "p50 ms", "p99 ms", "CPU us/req"], rows)

    target = throughput["target_ratio"]
    lines += [
        "",
        "  Ratios to /api/public in the same rounds. req/s: all rounds together, the median of the",
        "  per-round ratios and their range. CPU: public CPU per request divided by the variant's.",
        f"  The target (>= {target}) is checked on the median.",
    ]
    rows = []
    for key, variant in variants.items():
        if key == "public":
            continue
        met = throughput["targets_met"].get(key)
        rows.append(
            [
                variant["label"],
                f"{variant['ratio_to_public']:.3f}",
                f"{variant['round_ratio_median']:.3f}",
                f"{variant['round_ratio_min']:.3f}-{variant['round_ratio_max']:.3f}",
                f"{variant['cpu_ratio_to_public']:.3f}",
                "" if met is None else verdict(met),
            ]
        )
    lines += table(["variant / public", "req/s", "median", "range", "CPU", "target"], rows)
    return lines


def jwks_lines(results: dict[str, Any]) -> list[str]:
    lines = ["4. JWKS fetches per 10,000 authenticated requests after warm-up (each request a new token)"]
    rows = []
    for key in ("jwks_single_worker", "jwks_redis"):
        entry = results.get(key)
        if entry is None:
            continue
        if "skipped" in entry:
            lines.append(f"  Redis: skipped, {entry['skipped']}")
            continue
        rows.append(
            [
                entry["setting"],
                entry["fetches_during_warm_up"],
                f"{entry['requests']:,}",
                entry["fetches"],
                entry["fetches_per_10000"],
            ]
        )
    lines += table(["setting", "warm-up fetches", "requests", "fetches", "per 10,000"], rows)
    single = results.get("jwks_single_worker")
    if single:
        lines.append(
            f"  Then {results['memory']['repeated_token_requests']:,} requests with one repeated token: "
            f"{single['fetches_during_repeated_requests']} fetches."
        )
    return lines


def flood_lines(results: dict[str, Any]) -> list[str]:
    floods = results.get("flood", [])
    if not floods:
        return []
    cooldown = results.get("verified_cache_switch", {}).get("checks", {}).get("as_generated", {})
    cooldown_text = f"{cooldown['jwks_refetch_cooldown']:g} s" if cooldown else "the default"
    lines = [
        (
            f"5. Unknown key id flood: {floods[0]['tokens']:,} tokens signed with an unpublished key, "
            f"each with a random kid (refetch cooldown {cooldown_text})"
        )
    ]
    rows = [
        [
            flood["setting"],
            flood["warm_up_fetches"],
            flood["fetches"],
            f"<= {flood['bound']}",
            verdict(flood["fetches"] <= flood["bound"]),
            ", ".join(f"{code}: {count}" for code, count in flood["statuses"].items()),
        ]
        for flood in floods
    ]
    lines += table(["setting", "warm-up fetches", "flood fetches", "bound", "result", "responses"], rows)
    return lines


def memory_lines(memory: dict[str, Any]) -> list[str]:
    after_distinct = memory["rss_mib_after_distinct_tokens"] - memory["rss_mib_after_warm_up"]
    after_repeated = memory["rss_mib_after_repeated_token"] - memory["rss_mib_after_distinct_tokens"]
    return [
        f"6. Resident memory of the gunicorn worker ({memory['setting']}), psutil RSS",
        f"  after warm-up                                   {memory['rss_mib_after_warm_up']:8.1f} MiB",
        (
            f"  after {memory['distinct_token_requests']:>6,} requests with distinct tokens     "
            f"{memory['rss_mib_after_distinct_tokens']:8.1f} MiB ({after_distinct:+.1f})"
        ),
        (
            f"  after {memory['repeated_token_requests']:>6,} requests with one repeated token  "
            f"{memory['rss_mib_after_repeated_token']:8.1f} MiB ({after_repeated:+.1f})"
        ),
        f"  growth over {memory['authenticated_requests']:,} authenticated requests: {memory['growth_mib']:+.1f} MiB",
    ]


def switch_lines(switch: dict[str, Any]) -> list[str]:
    checks = switch["checks"]
    generated = checks["as_generated"]
    disabled = checks["verified_cache_off"]
    return [
        "Verified-token cache switch, one token validated twice in-process:",
        (
            f"  VERIFIED_CACHE_SIZE = {generated['verified_cache_size']}: "
            f"{generated['signature_checks']} signature check(s); "
            f"set to {disabled['verified_cache_size']}: {disabled['signature_checks']} signature check(s); "
            f"0 disables the cache: {'yes' if switch['size_zero_disables_cache'] else 'NO'}"
        ),
    ]


def profile_lines(profile: dict[str, Any]) -> list[str]:
    lines = [
        (
            f"Profile: cProfile in one gunicorn worker, {profile['requests_per_profile']:,} requests each to "
            "/api/public and /api/private (repeated token)"
        ),
        (
            f"  gunicorn handle() per request: public {profile['public_worker_us_per_request']:.0f} us, "
            f"private {profile['private_worker_us_per_request']:.0f} us (cProfile overhead included)"
        ),
        (
            f"  Django WSGIHandler per request: public {profile['public_django_us_per_request']:.0f} us, "
            f"private {profile['private_django_us_per_request']:.0f} us"
        ),
        (
            f"  garbage collection per request: public {profile['public_gc_us_per_request']:.0f} us, "
            f"private {profile['private_gc_us_per_request']:.0f} us; collections per generation: "
            f"public {profile['public_gc_collections']}, private {profile['private_gc_collections']}"
        ),
        "  Largest cumulative time per private request, functions that public requests never call (microseconds):",
    ]
    lines += [
        f"    {entry['extra_us_per_request']:8.1f}  {entry['function']}"
        for entry in profile["top_cumulative_time_private_only"]
    ]
    lines.append("  Largest self time difference per request, private minus public (microseconds);")
    lines.append("  cProfile charges each garbage collection to the function that was allocating when it began:")
    lines += [f"    {entry['extra_us_per_request']:8.1f}  {entry['function']}" for entry in profile["top_self_time"]]
    return lines


def render_text(results: dict[str, Any]) -> str:
    parameters = results["parameters"]
    lines = [f"Authentication cost benchmark ({COMMAND})", *machine_lines(results["machine"])]
    lines.append(
        "Parameters: "
        + ", ".join(f"{name}={value}" for name, value in parameters.items() if name not in ("redis_url",))
    )
    sections = []
    if "bake" in results:
        sections.append(bake_lines(results["bake"]))
    if "tokens" in results:
        tokens = results["tokens"]
        sections.append(
            [
                (
                    f"2. Local issuer {tokens['issuer']} (trustme CA), RS256 tokens with aud {tokens['audience']}, "
                    f"scope {tokens['scope']}; {tokens['distinct_tokens']:,} distinct tokens minted before the timed loops"
                )
            ]
        )
    if "verified_cache_switch" in results:
        sections.append(switch_lines(results["verified_cache_switch"]))
    if "throughput" in results:
        sections.append(throughput_lines(results))
    if "jwks_single_worker" in results:
        sections.append(jwks_lines(results))
    if "flood" in results:
        sections.append(flood_lines(results))
    if "memory" in results:
        sections.append(memory_lines(results["memory"]))
    if "profile" in results:
        sections.append(profile_lines(results["profile"]))
    if results.get("problems"):
        sections.append(["Problems:"] + [f"  {problem}" for problem in results["problems"]])

    for section in sections:
        lines += [""] + section
    return "\n".join(lines) + "\n"


def render_page(text: str, json_name: str) -> str:
    return (
        "# Benchmarks\n\n"
        "What token authentication costs the generated project, measured side by side in one run of\n"
        f"`{COMMAND}` from the template root, inside the test virtual environment\n"
        "(`pip install -r requirements-test.txt`), with Redis on 127.0.0.1:6379 for the shared-cache rows.\n"
        "Every server, issuer and client runs on 127.0.0.1 on the machine named below, so the\n"
        "numbers describe that machine only. Ratios compare variants measured in the same rounds.\n\n"
        "Reading the numbers:\n\n"
        "- Other processes on the machine slow some rounds down, and the per-round range of each\n"
        "  ratio shows by how much. The load average at start and end is in the header.\n"
        "- CPU us/req counts only the time that the server's worker process ran, without the clients.\n"
        "- Reference (a) fetches the key set from an issuer on the same machine. A real tenant is a\n"
        "  network round trip away, so there each fetch costs more than here.\n"
        "- The profile runs under cProfile, which slows Python calls down. Its microseconds are\n"
        "  therefore larger than without it, and only their proportions carry over.\n\n"
        f"Latest output (the run also wrote these numbers as JSON to `{json_name}`):\n\n"
        "```text\n"
        f"{text}"
        "```\n"
    )
