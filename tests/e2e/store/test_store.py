"""The artifact store: both backends through the same tests, S3 against a real moto server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from durable_research.config import Settings
from durable_research.contract.keys import PROBE_FOLDER
from durable_research.errors import ConfigError, StoreError
from durable_research.store import ArtifactStore, get_text, put_text
from durable_research.store.check import check_store
from durable_research.store.directory import DirectoryStore
from durable_research.store.errors import ArtifactMissingError, StoreUnavailableError
from durable_research.store.factory import open_store
from durable_research.store.s3 import S3Store, make_client
from durable_research.testing.ports import free_port
from durable_research.testing.s3_server import TEST_REGION, S3Server

BUCKET = "research-test"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials only; no ~/.aws files, no instance-metadata lookups."""
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# One process (pytest-xdist) for the module: one S3 server, not one per process.
pytestmark = pytest.mark.xdist_group("store")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One moto server for the session, with the test bucket."""
    server = S3Server(start_timeout_s=120).start()  # generous: a loaded 2-core box
    server.create_bucket(BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_server: S3Server) -> Any:
    """One client for the session: building one parses boto3's models (~0.4 s)."""
    with pytest.MonkeyPatch.context() as mp:
        # Clients read credentials when built, so the dummy ones must be set now.
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        return make_client(s3_server.endpoint_url, TEST_REGION)


def s3_store(
    server: S3Server, bucket: str = BUCKET, client: Any = None, timeout_s: float = 10.0
) -> S3Store:
    """A store under a fresh prefix, so tests never see each other's objects."""
    if client is None:
        client = make_client(server.endpoint_url, TEST_REGION, timeout_s=timeout_s)
    prefix = f"t/{uuid.uuid4().hex}"
    return S3Store(bucket, prefix, server.endpoint_url, TEST_REGION, client=client)


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    """Each backend in turn."""
    if request.param == "directory":
        return DirectoryStore(tmp_path / "store")
    return s3_store(
        request.getfixturevalue("s3_server"), client=request.getfixturevalue("s3_client")
    )


# --- the protocol, on both backends ---


def test_put_get_exists(store: ArtifactStore) -> None:
    assert not store.exists("runs/r1/notes.json")
    store.put("runs/r1/notes.json", b'{"a": 1}')
    assert store.exists("runs/r1/notes.json")
    assert store.get("runs/r1/notes.json") == b'{"a": 1}'
    # A folder-like prefix of a key is not an object.
    assert not store.exists("runs/r1")


def test_overwrite_replaces_whole(store: ArtifactStore) -> None:
    store.put("k", b"a long first version " * 100)
    store.put("k", b"short")
    assert store.get("k") == b"short"


@pytest.mark.parametrize(
    "key", ["../x", "a/../b", "/abs", "a//b", "", "a/", ".hidden", "sp ace", "x" * 600]
)
def test_invalid_keys_rejected(store: ArtifactStore, key: str) -> None:
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.exists(key)):
        with pytest.raises(StoreError, match="invalid artifact key") as info:
            call()
        assert not isinstance(info.value, ArtifactMissingError)


def test_missing_key(store: ArtifactStore) -> None:
    with pytest.raises(ArtifactMissingError):
        store.get("runs/none/here")
    assert not store.exists("runs/none/here")


def test_binary_and_empty_data(store: ArtifactStore) -> None:
    data = bytes(range(256)) * 64 + b"\r\n\x00"
    store.put("bin", data)
    assert store.get("bin") == data
    store.put("empty", b"")
    assert store.exists("empty") and store.get("empty") == b""


def test_five_megabyte_object(store: ArtifactStore) -> None:
    data = os.urandom(5 * 1024 * 1024)
    store.put("big/object", data)
    assert store.get("big/object") == data


def test_put_text_is_content_addressed(store: ArtifactStore) -> None:
    digest = put_text(store, "Tardigrades — water bears")
    assert put_text(store, "Tardigrades — water bears") == digest
    assert get_text(store, f"texts/{digest}") == "Tardigrades — water bears"


def test_check_store_round_trip(store: ArtifactStore) -> None:
    line = check_store(store)
    assert line.startswith(store.describe()) and "removed it" in line and "\n" not in line
    if isinstance(store, DirectoryStore):
        assert not (store.root / PROBE_FOLDER).exists()
    else:
        assert isinstance(store, S3Store)
        listing = store._client.list_objects_v2(Bucket=BUCKET, Prefix=store.prefix + "/")
        assert listing.get("KeyCount", 0) == 0


# --- S3 specifics ---


def test_s3_layout_and_describe(s3_server: S3Server) -> None:
    store = s3_store(s3_server)
    store.put("runs/r/a.json", b"{}")
    head = store._client.head_object(Bucket=BUCKET, Key=f"{store.prefix}/runs/r/a.json")
    assert head["ContentLength"] == 2
    assert store.describe() == f"s3://{BUCKET}/{store.prefix} ({s3_server.endpoint_url})"
    assert S3Store("b", "", client=object()).describe() == "s3://b (AWS S3)"


def test_s3_put_sends_content_md5(s3_server: S3Server) -> None:
    # moto does not verify Content-MD5 (real S3 does: BadDigest), so check what is sent.
    store = s3_store(s3_server)
    sent: list[dict[str, Any]] = []
    store._client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers))
    )
    store.put("k", b"hello")
    assert sent[0]["Content-MD5"] == b"XUFAKrxLKna5cZ2REBfFkg=="


def test_s3_missing_bucket_is_not_retryable(s3_server: S3Server, s3_client: Any) -> None:
    store = s3_store(s3_server, bucket="no-such-bucket", client=s3_client)
    for call in (lambda: store.put("k", b"x"), lambda: store.get("k"), lambda: store.exists("k")):
        with pytest.raises(StoreError, match="bucket 'no-such-bucket' does not exist") as info:
            call()
        assert not isinstance(info.value, ArtifactMissingError)
    with pytest.raises(StoreError, match="does not exist"):
        check_store(store)


def test_s3_credentials_refused() -> None:
    # A second server that enforces auth: moto then knows no keys and refuses all.
    with S3Server(enforce_auth=True, start_timeout_s=120) as server:
        store = s3_store(server)
        for call in (lambda: store.put("k", b"x"), lambda: store.get("k")):
            with pytest.raises(StoreError, match="credentials refused"):
                call()
        with pytest.raises(StoreError, match="credentials refused"):
            store.exists("k")
        with pytest.raises(StoreError, match="credentials refused"):
            check_store(store)


def test_s3_no_credentials(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = S3Store(BUCKET, "p", s3_server.endpoint_url, TEST_REGION)
    with pytest.raises(StoreError, match="no S3 credentials"):
        store.put("k", b"x")


def test_s3_nothing_listening_is_retryable() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    store = S3Store(BUCKET, "p", endpoint, TEST_REGION)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=endpoint):
        store.put("k", b"x")
    assert time.monotonic() - started < 10


def test_s3_outage_window(s3_server: S3Server) -> None:
    store = s3_store(s3_server, timeout_s=1.0)
    store.put("before", b"1")
    s3_server.pause()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=s3_server.endpoint_url):
            store.put("during", b"payload")
        with pytest.raises(StoreUnavailableError):
            store.get("before")
        # Two attempts of 1 s each plus backoff: bounded, never a hang.
        assert time.monotonic() - started < 15
    finally:
        s3_server.resume()
    # What Temporal does next: the same put again. (The frozen attempt may land too;
    # both carry the same bytes, so the result is the same.)
    store.put("during", b"payload")
    assert store.get("during") == b"payload"
    assert store.get("before") == b"1"


@pytest.mark.parametrize(
    ("code", "status", "kind", "words"),
    [
        ("InternalError", 500, StoreUnavailableError, "unavailable"),
        ("ServiceUnavailable", 503, StoreUnavailableError, "unavailable"),
        ("SlowDown", 503, StoreUnavailableError, "unavailable"),
        ("BadDigest", 400, StoreUnavailableError, "unavailable"),
        ("AccessDenied", 403, StoreError, "credentials refused"),
        ("SignatureDoesNotMatch", 403, StoreError, "credentials refused"),
        ("InvalidAccessKeyId", 403, StoreError, "credentials refused"),
        ("NoSuchBucket", 404, StoreError, "does not exist"),
        ("PermanentRedirect", 301, StoreError, "S3_REGION"),
        ("InvalidArgument", 400, StoreError, "InvalidArgument"),
    ],
)
def test_s3_error_classification(
    s3_client: Any, code: str, status: int, kind: type, words: str
) -> None:
    # The stubber answers instead of the server, so any error an S3 service sends can be
    # replayed; the context manager detaches it again for the next test.
    with Stubber(s3_client) as stub:
        stub.add_client_error("put_object", service_error_code=code, http_status_code=status)
        with pytest.raises(kind, match=words) as info:
            S3Store(BUCKET, "p", "http://127.0.0.1:9", client=s3_client).put("k", b"x")
    # Retryable and non-retryable must never overlap: the retry policy relies on it.
    assert isinstance(info.value, StoreError) != isinstance(info.value, StoreUnavailableError)


# --- open_store ---


def test_open_store_directory(tmp_path: Path) -> None:
    default = open_store(Settings(data_dir=str(tmp_path)))
    assert isinstance(default, DirectoryStore) and default.root == tmp_path / "store"
    chosen = open_store(Settings(store=str(tmp_path / "elsewhere")))
    assert isinstance(chosen, DirectoryStore) and chosen.root == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://my-bucket/research", "my-bucket", "research"),
        ("s3://my-bucket", "my-bucket", ""),
        ("s3://my-bucket/", "my-bucket", ""),
        ("s3://my.bucket/a/b=1/", "my.bucket", "a/b=1"),
    ],
)
def test_open_store_s3_parsing(url: str, bucket: str, prefix: str) -> None:
    store = open_store(Settings(store=url, s3_endpoint_url="http://127.0.0.1:9000"))
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.endpoint_url) == (
        bucket,
        prefix,
        "http://127.0.0.1:9000",
    )


@pytest.mark.parametrize(
    "url",
    [
        "s3://",
        "s3:///research",
        "s3://Bad_Bucket/x",
        "s3://ab/x",
        "s3://bkt/../x",
        "s3://bkt/a//b",
        "s3://key:secret@bkt/x",
        "s3://bkt:9000/x",
        "s3://bkt/x?versionId=1",
        "http://example.com/store",
        "gs://bkt/x",
        "file:///tmp/store",
    ],
)
def test_open_store_rejects(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        open_store(Settings(store=url))
    assert info.value.hint


def test_open_store_rejects_bad_endpoint() -> None:
    with pytest.raises(ConfigError, match="S3_ENDPOINT_URL"):
        open_store(Settings(store="s3://bkt/x", s3_endpoint_url="127.0.0.1:9000"))


def test_open_store_s3_end_to_end(s3_server: S3Server) -> None:
    # No region set: boto3's default must still sign requests a server accepts.
    settings = Settings(store=f"s3://{BUCKET}/e2e", s3_endpoint_url=s3_server.endpoint_url)
    store = open_store(settings)
    store.put("hello", b"world")
    assert store.get("hello") == b"world"
    assert "removed it" in check_store(store)


def test_directory_store_does_not_import_boto3(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from durable_research.config import Settings\n"
        "from durable_research.store.factory import open_store\n"
        f"open_store(Settings(store={str(tmp_path)!r}))\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_check_store_reports_unusable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot use the store folder"):
        check_store(DirectoryStore(blocker))
