"""Parse durations such as 90s, 15m, 1h or 2d into seconds."""

import re

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DURATION = re.compile(r"(\d{1,7})([smhd]?)")


def parse_duration(text: str) -> int:
    """Return the number of seconds in `text`; a bare number counts seconds."""
    match = DURATION.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"invalid duration {text!r}; use a positive number with s, m, h or d, such as 15m or 1h")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2) or "s"]
