"""The machine and software a benchmark run measured, for the record next to its numbers."""

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = ("Django", "djangorestframework", "PyJWT", "cryptography", "gunicorn", "cookiecutter", "redis")


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, object]:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "packages": {name: package_version(name) for name in PACKAGES},
        "load_average_at_start": load_average(),
    }


def load_average() -> list[float]:
    """Return the 1, 5 and 15 minute load averages, because other work on the machine adds noise to every number."""
    return [round(value, 2) for value in psutil.getloadavg()]
