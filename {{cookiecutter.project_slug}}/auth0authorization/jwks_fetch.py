"""Fetch a JSON Web Key Set over HTTPS, and nothing else.

One attempt, bounded in time and size, with no redirects. Every failure,
including a body that is not a key set, raises JWKSFetchError.
"""

import json
import ssl
import time
import urllib.error
import urllib.request
from typing import Any

from .exceptions import JWKSFetchError

CHUNK_BYTES = 16 * 1024


class _RejectRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to another URL rejected ({code})", headers, fp)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_jwks(body: bytes) -> dict[str, Any]:
    """Parse a key set document, checking only its outer shape."""
    try:
        document = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise JWKSFetchError(f"the response is not JSON: {exc.__class__.__name__}") from exc

    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JWKSFetchError('the response is not a key set: no "keys" list')
    return document


def fetch_jwks(url: str, timeout: float, max_bytes: int) -> dict[str, Any]:
    """Fetch and parse the key set at `url` within `timeout` seconds in total."""
    if not url.lower().startswith("https://"):
        raise JWKSFetchError(f"key set URL must use https: {url}")

    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _RejectRedirects(), urllib.request.HTTPSHandler(context=ssl.create_default_context())
    )
    headers = {"Accept": "application/json", "User-Agent": "auth0authorization"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (the scheme is checked above)

    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise JWKSFetchError(f"the response is larger than {max_bytes} bytes")
            body = _read_bounded(response, max_bytes, deadline)
    except JWKSFetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise JWKSFetchError(f"HTTP status {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise JWKSFetchError(f"request failed: {exc}") from exc

    return parse_jwks(body)


def _read_bounded(response: Any, max_bytes: int, deadline: float) -> bytes:
    # A server that trickles bytes slowly could otherwise hold the request
    # far past `timeout`, which only bounds each single socket read.
    chunks = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise JWKSFetchError("timed out while reading the response")
        chunk = response.read1(CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise JWKSFetchError(f"the response is larger than {max_bytes} bytes")
        chunks.append(chunk)
