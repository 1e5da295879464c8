"""The S3 backend: objects in a bucket under a prefix (AWS S3, MinIO, R2, GCS, a test server).

Calls are blocking (boto3); activities run them in threads. Every failure is mapped to
the store's errors so Temporal's retry policy can tell an outage (StoreUnavailableError,
retried) from a refusal a retry cannot fix (StoreError: missing bucket, refused
credentials). The SDK itself retries little and gives up quickly, because Temporal owns
the real retries with backoff and visibility.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    ResponseStreamingError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from durable_research.contract.keys import validate_key
from durable_research.errors import StoreError
from durable_research.store.errors import ArtifactMissingError, StoreUnavailableError

# Bounded waits: a hung store must fail an attempt quickly, not stall an activity.
DEFAULT_TIMEOUT_S = 10.0
# Total attempts per call (the first one included); Temporal retries beyond that.
DEFAULT_ATTEMPTS = 2

_UNAVAILABLE_CODES = {
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    # The body arrived damaged or cut short; sending the same bytes again fixes it.
    "BadDigest",
    "IncompleteBody",
    "XAmzContentSHA256Mismatch",
}
_CREDENTIAL_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "403",
}
_REGION_CODES = {"AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraint"}


def make_client(
    endpoint_url: str = "",
    region: str = "",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    attempts: int = DEFAULT_ATTEMPTS,
) -> Any:
    """A boto3 S3 client with bounded timeouts and few retries.

    Args:
        endpoint_url: An S3-compatible endpoint (MinIO, R2, a test server); empty = AWS.
        region: The signing region; empty = boto3's usual chain (AWS_REGION, ~/.aws).
        timeout_s: Connect and read timeout of one attempt, in seconds.
        attempts: Total attempts per call, the first included.

    Returns:
        A thread-safe ``botocore`` S3 client; credentials come from boto3's chain.
    """
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "connect_timeout": timeout_s,
        "read_timeout": timeout_s,
        "retries": {"mode": "standard", "total_max_attempts": attempts},
        # Activities run in many threads at once; the default pool of 10 would queue them.
        "max_pool_connections": 32,
    }
    if endpoint_url:
        # Other servers rarely resolve bucket sub-domains (bucket.minio:9000): use paths.
        options["s3"] = {"addressing_style": "path"}
    if "request_checksum_calculation" in Config.OPTION_DEFAULTS:
        # botocore >= 1.36 adds CRC32 headers that several S3-compatible servers reject;
        # integrity comes from the Content-MD5 that every put sends instead.
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    # A session of our own: boto3's default session is not safe to share across threads.
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or None,
        config=Config(**options),
    )


class S3Store:
    """Objects named ``<prefix>/<key>`` in one bucket; each put is a single PutObject."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        endpoint_url: str = "",
        region: str = "",
        client: Any = None,
    ) -> None:
        """Use ``bucket`` under ``prefix`` (may be empty); ``client`` replaces the default."""
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self._client = client if client is not None else make_client(endpoint_url, region)
        # HeadObject answers a bare 404 for a missing bucket too; check the bucket once.
        self._bucket_seen = False

    def _name(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _where(self) -> str:
        return self.endpoint_url or (f"AWS S3 {self.region}" if self.region else "AWS S3")

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` in one PutObject: S3 shows all of it or nothing.

        Content-MD5 makes the server reject a body that arrived truncated or damaged.
        """
        name = self._name(key)
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")
        with self._errors("write", key):
            self._client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentMD5=md5)
        self._bucket_seen = True

    def get(self, key: str) -> bytes:
        """Read the object under ``key``."""
        name = self._name(key)
        with self._errors("read", key):
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404"):
                    raise ArtifactMissingError(f"no object {key!r} in {self.describe()}") from None
                raise
            # The body streams after the headers; an outage here is an outage too.
            body: bytes = response["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object (HeadObject; a 404 means no)."""
        name = self._name(key)
        with self._errors("look up", key):
            try:
                self._client.head_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _code(exc) not in ("404", "NoSuchKey", "NotFound"):
                    raise
                if not self._bucket_seen:
                    self._check_bucket()
                return False
        return True

    def _check_bucket(self) -> None:
        """Raise StoreError when the bucket is missing (HEAD gives only a bare 404)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchBucket", "NotFound"):
                raise self._missing_bucket() from exc
            raise
        self._bucket_seen = True

    def _missing_bucket(self) -> StoreError:
        return StoreError(
            f"bucket {self.bucket!r} does not exist at {self._where()}: "
            "create it, or fix RESEARCH_STORE / S3_ENDPOINT_URL"
        )

    def delete(self, key: str) -> None:
        """Remove ``key`` (no error when absent); used to clean up probe objects."""
        name = self._name(key)
        with self._errors("delete", key):
            self._client.delete_object(Bucket=self.bucket, Key=name)

    def describe(self) -> str:
        """``s3://bucket/prefix (endpoint)``."""
        path = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        return f"{path} ({self._where()})"

    @contextmanager
    def _errors(self, action: str, key: str) -> Iterator[None]:
        """Translate boto3's exceptions into the store's retryable/non-retryable errors."""
        try:
            yield
        except ClientError as exc:
            raise self._client_error(exc, action, key) from exc
        except NoCredentialsError as exc:
            raise StoreError(
                f"no S3 credentials for {self.describe()}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or a profile or role)"
            ) from exc
        except (
            BotoConnectionError,
            HTTPClientError,
            IncompleteReadError,
            ResponseStreamingError,
        ) as exc:
            raise StoreUnavailableError(
                f"cannot {action} {key!r}: the S3 store at {self._where()} did not answer "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        except BotoCoreError as exc:
            raise StoreError(f"cannot {action} {key!r} in {self.describe()}: {exc}") from exc

    def _client_error(self, exc: ClientError, action: str, key: str) -> Exception:
        code = _code(exc)
        status = _status(exc)
        where = self.describe()
        if code == "NoSuchBucket":
            return self._missing_bucket()
        if code in _CREDENTIAL_CODES or status == 403:
            return StoreError(
                f"credentials refused by {where} ({code}) when trying to {action} {key!r}: "
                # Without s3:ListBucket, AWS answers 403 (not 404) for a missing key.
                "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and that they may "
                "s3:GetObject, s3:PutObject and s3:ListBucket on the bucket"
            )
        if code in _REGION_CODES or status == 301:
            return StoreError(
                f"{where} is in another region ({code}): set S3_REGION to the bucket's region"
            )
        if code in _UNAVAILABLE_CODES or status >= 500 or status in (408, 429):
            return StoreUnavailableError(
                f"cannot {action} {key!r}: the S3 store at {self._where()} is unavailable "
                f"({code or status})"
            )
        return StoreError(f"cannot {action} {key!r} in {where}: {code or status}: {exc}")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
