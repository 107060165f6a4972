"""Ask an Auth0 tenant for an access token with the client-credentials grant."""

import http.client
import json
import ssl
import urllib.error
import urllib.request
from typing import Any

# One-line explanations of the tenant's `error` codes, with its `error_description` filled in.
TENANT_REFUSALS = {
    "access_denied": "the tenant refused the request: {description}",
    "unauthorized_client": "this client may not use the client-credentials grant: {description}",
    "invalid_client": "the client id or secret is wrong: {description}",
    "invalid_request": "the tenant rejected the request: {description}",
}


class TenantTokenError(Exception):
    """The tenant did not issue a token; the message is one line for the user."""


def request_tenant_token(
    token_url: str, client_id: str, client_secret: str, audience: str, timeout: float, scope: str = ""
) -> str:
    """POST the client-credentials grant to `token_url` and return the access token.

    An empty `scope` requests every scope the client was granted for the API.
    """
    if not token_url.lower().startswith("https://"):
        raise TenantTokenError(f"the token URL must use https: {token_url}")

    grant = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "audience": audience,
    }
    if scope:
        grant["scope"] = scope
    body = json.dumps(grant).encode()
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
        token_url, data=body, method="POST", headers={"Content-Type": "application/json", "Accept": "application/json"}
    )

    try:
        context = ssl.create_default_context()
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            response_document = _read_json(response.read(64 * 1024))
    except urllib.error.HTTPError as exc:
        raise TenantTokenError(_explain_refusal(exc.code, _read_json(exc.read(64 * 1024)))) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TenantTokenError(f"cannot reach {token_url}: {reason}") from None
    except http.client.HTTPException as exc:
        # A server that breaks the HTTP protocol, such as a status line that is not HTTP.
        raise TenantTokenError(f"the response from {token_url} is not valid HTTP: {exc.__class__.__name__}") from None

    token = response_document.get("access_token")
    if not isinstance(token, str) or not token:
        raise TenantTokenError(f"the response from {token_url} contains no access_token")
    return token


def _read_json(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _explain_refusal(status: int, response_document: dict[str, Any]) -> str:
    error = str(response_document.get("error", ""))
    # Joining on single spaces keeps the message on one line whatever line breaks the tenant sends.
    description = " ".join(str(response_document.get("error_description", "")).split())[:300]
    if error in TENANT_REFUSALS:
        return TENANT_REFUSALS[error].format(description=description or f"HTTP status {status}")
    if description:
        return f"the tenant answered HTTP status {status}: {description}"
    return f"the tenant answered HTTP status {status} without an error description"
