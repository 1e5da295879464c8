"""Open the artifact store that the settings name (RESEARCH_STORE).

``""`` means ``<data dir>/store``; a folder path means a directory store there; and
``s3://bucket/prefix`` means an S3-compatible bucket (S3_ENDPOINT_URL, S3_REGION).
Opening does no network I/O, so a worker starts even while the store is down;
``research doctor`` probes it (see :mod:`durable_research.store.check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from durable_research.config import Settings
from durable_research.contract.keys import validate_key
from durable_research.errors import ConfigError, StoreError
from durable_research.store import ArtifactStore
from durable_research.store.directory import DirectoryStore

# A URL scheme: anything else (including Windows drive letters, "C:\\") is a path.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# S3 bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_S3_HINT = "use RESEARCH_STORE=s3://<bucket>/<optional/prefix>, e.g. s3://my-bucket/research"


@dataclass(frozen=True)
class S3Location:
    """Where ``s3://bucket/prefix`` points."""

    bucket: str
    prefix: str


def parse_s3_url(url: str) -> S3Location:
    """Split ``s3://bucket/prefix`` strictly.

    Raises:
        ConfigError: No bucket, an invalid bucket name, credentials, a port, a query
            or an unsafe prefix (``..``, empty segments).
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 address
        raise ConfigError(f"RESEARCH_STORE={url!r} is not a valid URL", _S3_HINT) from None
    if parts.scheme.lower() != "s3":
        raise ConfigError(f"RESEARCH_STORE={url!r} is not an s3:// URL", _S3_HINT)
    if "@" in parts.netloc or ":" in parts.netloc:
        raise ConfigError(
            f"RESEARCH_STORE={url!r} must not hold credentials or a port",
            "credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; "
            "the server from S3_ENDPOINT_URL",
        )
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ConfigError(f"RESEARCH_STORE={url!r} must not have a query or fragment", _S3_HINT)
    bucket = parts.netloc
    if not bucket:
        raise ConfigError(f"RESEARCH_STORE={url!r} names no bucket", _S3_HINT)
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ConfigError(
            f"RESEARCH_STORE={url!r}: {bucket!r} is not a valid bucket name",
            "bucket names are 3-63 lowercase letters, digits, dots and hyphens",
        )
    # One trailing slash is harmless (s3://b/p/); anything else must be a clean key.
    prefix = parts.path.removeprefix("/").removesuffix("/")
    if prefix:
        try:
            validate_key(prefix)
        except StoreError:
            raise ConfigError(
                f"RESEARCH_STORE={url!r}: the prefix {prefix!r} is not a safe key",
                "use folders of letters, digits, '.', '_', '=' and '-' separated by single '/'",
            ) from None
    return S3Location(bucket, prefix)


def _check_endpoint(endpoint_url: str) -> None:
    """Reject an S3_ENDPOINT_URL that boto3 would only fail on at the first call."""
    if not endpoint_url:
        return
    try:
        parts = urlsplit(endpoint_url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(
            f"S3_ENDPOINT_URL={endpoint_url!r} is not an http(s) URL",
            "e.g. http://127.0.0.1:9000 for MinIO, or leave it empty for AWS S3",
        )


def open_store(settings: Settings) -> ArtifactStore:
    """The store RESEARCH_STORE names (see the module docstring).

    Raises:
        ConfigError: RESEARCH_STORE or S3_ENDPOINT_URL is malformed or uses an
            unsupported scheme.
    """
    value = settings.store.strip()
    match = _SCHEME.match(value)
    if match is None:
        return DirectoryStore(settings.store_path)
    scheme = match.group(1).lower()
    if scheme != "s3":
        raise ConfigError(
            f"RESEARCH_STORE={value!r}: the scheme {scheme}:// is not supported",
            "use a folder path, or s3://bucket/prefix (for GCS, R2 or MinIO via their "
            "S3 API, with S3_ENDPOINT_URL)",
        )
    location = parse_s3_url(value)
    _check_endpoint(settings.s3_endpoint_url)
    # boto3 takes ~0.3 s to import: only S3 users pay for it.
    from durable_research.store.s3 import S3Store

    return S3Store(
        location.bucket,
        location.prefix,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
    )
