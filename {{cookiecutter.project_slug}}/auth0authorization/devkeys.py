"""The local development issuer: one RSA key pair kept in the project folder.

The key is made with the project's own `cryptography` on first use, because
cookiecutter hooks may run under an interpreter that lacks it. It lives in
AUTH0_DEV_KEY_DIR (`.devkeys/`, ignored by git) and signs tokens that only a
project trusting the development issuer accepts, through the same checks as
tokens from a tenant.
"""

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PRIVATE_KEY_FILE = "private.pem"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(private_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """Describe the public half as a JWK whose `kid` is its RFC 7638 thumbprint."""
    numbers = private_key.public_key().public_numbers()
    members = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    return {**members, "kid": kid, "use": "sig", "alg": "RS256"}


def ensure_private_key(key_dir: Path) -> rsa.RSAPrivateKey:
    """Load the development key, creating it first if the folder has none."""
    path = key_dir / PRIVATE_KEY_FILE
    if not path.exists():
        _create_private_key(path)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _create_private_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    # Write beside the target, then link: if two processes race, the first
    # link wins and the loser reads the winner's key instead of replacing it.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".private-", suffix=".pem")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def load_dev_jwks(key_dir: Path) -> dict[str, Any]:
    """Return the development issuer's key set, as a tenant's jwks.json would."""
    return {"keys": [public_jwk(ensure_private_key(key_dir))]}


def sign_dev_token(claims: dict[str, Any], key_dir: Path) -> str:
    private_key = ensure_private_key(key_dir)
    kid = public_jwk(private_key)["kid"]
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid, "typ": "at+jwt"})
