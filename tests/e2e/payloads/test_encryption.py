"""Encrypted payloads: a real dev server, real workers, the codec server over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType, PendingWorkflowTaskState
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Worker

from durable_research import client as rc
from durable_research.access import MAX_FAILURES
from durable_research.config import Settings, load_settings
from durable_research.contract.report import ReportResult
from durable_research.errors import ConfigError, root_cause
from durable_research.payloads.binding import PayloadDecodeError
from durable_research.payloads.codec import (
    ENCODING,
    KEY_FILE,
    KEY_ID_KEY,
    EncryptionCodec,
    Keyring,
    data_converter,
    key_id,
    load_keyring,
    new_key,
)
from durable_research.payloads.codec_server import CodecServer, codec_server_from_settings
from durable_research.payloads.converter import ENCODED_FAILURE
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from durable_research.testing.temporal import connect_retrying
from durable_research.worker.build import build_worker
from tests.support.helpers import start
from tests.support.settings import PAYLOAD_KEY, settings_env, with_settings

QUESTION = "Which secret ingredient does Aunt Mildred put in her tardigrade stew?"
EMAIL = "mildred.private@example.org"


def _payloads(message: Message) -> Iterator[Payload]:
    """Every ``Payload`` in a proto message (search attributes are plain by design)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.full_name == "temporal.api.common.v1.SearchAttributes":
            continue
        is_map = field.message_type.GetOptions().map_entry
        if is_map:
            items = list(value.values())
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if not isinstance(item, Message):
                continue
            if isinstance(item, Payload):
                yield item
            else:
                yield from _payloads(item)


def _history_payloads(history: WorkflowHistory) -> list[Payload]:
    """Every payload of a history except the SDK's patch markers (they hold a patch id)."""
    found: list[Payload] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = event.marker_recorded_event_attributes
            if marker.marker_name == "core_patch":
                for payload in _payloads(event):
                    assert set(json.loads(payload.data)) == {"id", "deprecated"}
                continue
        found += _payloads(event)
    return found


async def _plain_client(address: str) -> Client:
    """A client with Temporal's default converter: no codec, no project code."""
    return await Client.connect(address)


def _codec(key: bytes, *old: bytes, accept_plain: bool = False) -> EncryptionCodec:
    return EncryptionCodec(Keyring(key, tuple(old)), accept_plain=accept_plain)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


# ----- (a) + (b): a report runs encrypted; the raw history holds no plaintext -------------


async def test_report_completes_encrypted_and_history_has_no_plaintext(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM, temporal_address: str
) -> None:
    assert isinstance(client.data_converter.payload_codec, EncryptionCodec)
    handle = await start(client, settings, prompt=QUESTION, email_to=EMAIL)
    result = await asyncio.wait_for(handle.result(), 60)
    assert result.status == "completed" and Path(result.pdf_path).is_file()
    assert fake_llm.successes_for(QUESTION) == 1

    wid = handle.id
    plain = await _plain_client(temporal_address)
    history = await plain.get_workflow_handle(wid).fetch_history()
    raw = b"".join(e.SerializeToString() for e in history.events)
    for secret in (QUESTION, "Aunt Mildred", EMAIL, "FAKE-LLM"):
        assert secret.encode() not in raw, secret
    payloads = _history_payloads(history)
    assert len(payloads) >= 6  # input, memo, 3 activity inputs and results, the result
    for payload in payloads:
        assert payload.metadata["encoding"] == ENCODING
        assert payload.metadata[KEY_ID_KEY] == key_id(base64.b64decode(PAYLOAD_KEY)).encode()
    # The memo (shown by `research list`) is encrypted too, and still readable with the key.
    # (Visibility records are written asynchronously: under load a new one takes a moment.)
    for _ in range(40):
        listed = await rc.list_reports(client, limit=100)
        if any(r.workflow_id == wid for r in listed):
            break
        await asyncio.sleep(0.25)
    assert any(r.workflow_id == wid and r.question == QUESTION for r in listed)


async def test_app_connect_wires_the_codec(settings: Settings) -> None:
    conn = await rc.connect(settings, allow_embedded=False)
    codec = conn.client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    assert codec.keyring.current == base64.b64decode(PAYLOAD_KEY)
    assert codec.accept_plain is False
    off = await rc.connect(with_settings(settings, encryption=False), allow_embedded=False)
    off_codec = off.client.data_converter.payload_codec
    # Off: nothing is encrypted any more, but the configured key still reads old payloads.
    assert isinstance(off_codec, EncryptionCodec) and not off_codec.encrypt
    assert off_codec.accept_plain


# ----- (c): a client without the key cannot make the worker do anything ------------------


async def _wait_task_failure(handle: WorkflowHandle[Any, Any], reader: Client,
                             timeout: float = 30) -> tuple[str, list[EventType.ValueType]]:
    """The first workflow task failure's message as ``reader`` (with the key) reads it, and
    all event types seen by then. In the history itself the message is encrypted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        types: list[EventType.ValueType] = []
        async for event in handle.fetch_history_events():
            types.append(event.event_type)
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                failure = event.workflow_task_failed_event_attributes.failure
                assert failure.message == ENCODED_FAILURE
                return root_cause(await reader.data_converter.decode_failure(failure)), types
        await asyncio.sleep(0.1)
    raise TimeoutError("no workflow task failure")


TASK_STARTED = PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED


async def _wait_attempt(handle: WorkflowHandle[Any, Any], attempt: int,
                        timeout: float = 60) -> None:
    """Until the workflow's pending workflow task is at ``attempt`` (or later) and a worker
    has started it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = (await handle.describe()).raw_description.pending_workflow_task
        if pending.attempt >= attempt and pending.state == TASK_STARTED:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"workflow task attempt {attempt} never started")


async def test_plain_client_cannot_start_work(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    rogue = await _plain_client(temporal_address)
    handle = await rogue.start_workflow(
        "GenerateReportWorkflow", {"prompt": "run me for free", "output_dir": "/tmp"},
        id=f"rogue-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )
    try:
        message, types = await _wait_task_failure(handle, client)
        assert "Refusing an unencrypted payload" in message
        assert "RESEARCH_ENCRYPTION_ACCEPT_PLAIN" in message
        # The server hands the task to a worker again (attempt 2 started: the worker has
        # it a second time); still nothing is scheduled and no task completes.
        await _wait_attempt(handle, 2)
        types = [e.event_type async for e in handle.fetch_history_events()]
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in types
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED not in types
        assert fake_llm.calls == 0
    finally:
        await handle.terminate("test cleanup")


async def test_client_with_another_key_is_refused_naming_the_key_id(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    stranger_key = new_key()
    stranger = await connect_retrying(
        temporal_address, data_converter=data_converter(Settings(payload_key=stranger_key)))
    handle = await stranger.start_workflow(
        "GenerateReportWorkflow", {"prompt": "wrong key"}, memo={"question": "wrong key"},
        id=f"stranger-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )
    try:
        message, _ = await _wait_task_failure(handle, client)
        assert "unknown key id" in message
        assert key_id(base64.b64decode(stranger_key)) in message
        assert fake_llm.calls == 0
        # Listing reports (CLI, web page) still works; that one's question stays unreadable.
        for _ in range(40):  # visibility records are written asynchronously
            mine = [r for r in await rc.list_reports(client, limit=100)
                    if r.workflow_id == handle.id]
            if mine:
                break
            await asyncio.sleep(0.25)
        assert mine and "not readable" in mine[0].question
    finally:
        await handle.terminate("test cleanup")


async def test_accept_plain_lets_a_plain_start_run(
    client: Client, settings: Settings, fake_llm: FakeLLM, temporal_address: str
) -> None:
    """RESEARCH_ENCRYPTION_ACCEPT_PLAIN=true (upgrades): plain inputs are taken as they are."""
    lenient = await connect_retrying(temporal_address, data_converter=data_converter(
        settings, encryption_accept_plain=True))
    rogue = await _plain_client(temporal_address)
    async with build_worker(lenient, settings):
        handle = await rogue.start_workflow(
            "GenerateReportWorkflow", {"prompt": "plain but accepted",
                                       "output_dir": settings.output_dir},
            id=f"plain-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
        )
        await asyncio.wait_for(lenient.get_workflow_handle(handle.id).result(), 60)
    assert fake_llm.successes_for("plain but accepted") == 1


# ----- (d): key rotation ------------------------------------------------------------------


async def test_rotation_old_key_still_decodes_when_listed() -> None:
    old, new = os.urandom(32), os.urandom(32)
    sealed = await _codec(old).encode([Payload(metadata={"encoding": b"json/plain"},
                                               data=b'"hello"')])
    rotated = _codec(new, old)
    (back,) = await rotated.decode(sealed)
    assert back.data == b'"hello"'
    (fresh,) = await rotated.encode([back])
    assert fresh.metadata[KEY_ID_KEY] == key_id(new).encode()
    with pytest.raises(PayloadDecodeError, match=key_id(old)):
        _codec(new).decode_sync(sealed)
    # A tampered payload fails authentication instead of decoding to garbage.
    tampered = Payload()
    tampered.CopyFrom(sealed[0])
    tampered.data = tampered.data[:-1] + bytes([tampered.data[-1] ^ 1])
    with pytest.raises(PayloadDecodeError, match="failed authentication"):
        rotated.decode_sync([tampered])


def test_old_keys_from_env_and_from_key_file(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    ring = load_keyring(load_settings({"RESEARCH_PAYLOAD_KEY": new,
                                       "RESEARCH_PAYLOAD_OLD_KEYS": f"{old}, "}))
    assert ring.current == base64.b64decode(new)
    assert ring.old == (base64.b64decode(old),)
    key_file = tmp_path / "keys"
    key_file.write_text(f"# rotated today\n{new}\n\n{old}\n")
    ring = load_keyring(load_settings({"RESEARCH_PAYLOAD_KEY_FILE": str(key_file)}))
    assert ring.current == base64.b64decode(new)
    assert set(ring.by_id()) == {key_id(base64.b64decode(k)) for k in (new, old)}


async def test_rotation_end_to_end(
    settings: Settings, fake_llm: FakeLLM, temporal_address: str
) -> None:
    """Started under the old key, finished by a worker rotated to a new key."""
    old_key, new_key_ = new_key(), new_key()
    old_client = await connect_retrying(
        temporal_address, data_converter=data_converter(Settings(payload_key=old_key)))
    rotated = with_settings(settings, payload_key=new_key_, payload_old_keys=old_key)
    new_client = await connect_retrying(temporal_address, data_converter=data_converter(rotated))
    handle = await start(old_client, settings, prompt="rotate the keys")
    async with build_worker(new_client, rotated):
        result = await asyncio.wait_for(
            new_client.get_workflow_handle(handle.id, result_type=ReportResult).result(), 60)
    assert result.status == "completed"
    plain = await _plain_client(temporal_address)
    history = await plain.get_workflow_handle(handle.id).fetch_history()
    ids = {p.metadata[KEY_ID_KEY].decode() for p in _history_payloads(history)}
    assert ids == {key_id(base64.b64decode(k)) for k in (old_key, new_key_)}


# ----- config -----------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "needle", "key_hint"), [
    ({"RESEARCH_PAYLOAD_KEY": "not base64!"}, "RESEARCH_PAYLOAD_KEY is not valid base64", True),
    ({"RESEARCH_PAYLOAD_KEY": base64.b64encode(b"short").decode()}, "decodes to 5 bytes", True),
    ({"RESEARCH_PAYLOAD_OLD_KEYS": "QUJD"}, "RESEARCH_PAYLOAD_OLD_KEYS entry 1", True),
    ({"RESEARCH_PAYLOAD_KEY": new_key(), "RESEARCH_PAYLOAD_KEY_FILE": "/x"}, "both set", False),
    ({"RESEARCH_ENCRYPTION": "maybe"}, "'maybe' is not a yes/no value", False),
])
def test_malformed_key_settings_are_clear_config_errors(
    env: dict[str, str], needle: str, key_hint: bool
) -> None:
    with pytest.raises(ConfigError, match=needle) as info:
        load_settings(env)
    if key_hint:
        assert "os.urandom(32)" in info.value.hint


def test_bad_key_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "keys"
    bad.write_text("# nothing here\n")
    with pytest.raises(ConfigError, match="holds no key"):
        load_keyring(load_settings({"RESEARCH_PAYLOAD_KEY_FILE": str(bad)}))
    with pytest.raises(ConfigError, match="Cannot read the payload key file"):
        load_keyring(load_settings({"RESEARCH_PAYLOAD_KEY_FILE": str(tmp_path / "missing")}))


def test_encryption_off_without_a_key_means_no_codec(tmp_path: Path) -> None:
    settings = load_settings({"RESEARCH_ENCRYPTION": "off", "RESEARCH_DATA_DIR": str(tmp_path)})
    assert data_converter(settings).payload_codec is None
    assert not (tmp_path / KEY_FILE).exists()


# ----- (f): the key file ------------------------------------------------------------------


def test_key_created_private_in_private_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    settings = Settings(data_dir=str(data))
    with ThreadPoolExecutor(8) as pool:  # processes racing for the first key all agree
        rings = list(pool.map(lambda _: load_keyring(settings), range(16)))
    assert len({r.current for r in rings}) == 1 and rings[0].current is not None
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / KEY_FILE).stat().st_mode) == 0o600
    assert [p.name for p in data.iterdir()] == [KEY_FILE]  # no temp files left
    # A looser key file left by hand is tightened on use; the key stays the same.
    (data / KEY_FILE).chmod(0o644)
    data.chmod(0o755)
    assert load_keyring(settings).current == rings[0].current
    assert stat.S_IMODE((data / KEY_FILE).stat().st_mode) == 0o600


# ----- (e): the codec server --------------------------------------------------------------


UI = "http://localhost:8233"
TOKEN = "codec-token-" + "x" * 32


def _request(url: str, method: str = "POST", body: object = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _payloads_json(*texts: str) -> dict[str, Any]:
    msg = Payloads(payloads=[Payload(metadata={"encoding": b"json/plain"},
                                     data=json.dumps(t).encode()) for t in texts])
    value: dict[str, Any] = json.loads(json_format.MessageToJson(msg))
    return value


@pytest.fixture
def codec_server() -> Iterator[CodecServer]:
    srv = CodecServer(_codec(os.urandom(32)), port=0, origins=[UI, "http://127.0.0.1:8233"],
                      token=TOKEN, encode=True)
    srv.start()
    yield srv
    srv.stop()


def test_codec_server_round_trip_with_cors(codec_server: CodecServer) -> None:
    url = codec_server.ui_endpoint  # the token in the path, as the Web UI sends it
    status, headers, body = _request(f"{url}/encode", body=_payloads_json("a secret", "two"),
                                     headers={"Origin": UI, "X-Namespace": "default"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == UI
    encoded = json.loads(body)
    assert len(encoded["payloads"]) == 2
    for p in encoded["payloads"]:
        assert base64.b64decode(p["metadata"]["encoding"]) == ENCODING
        assert b"a secret" not in base64.b64decode(p["data"])
    status, _, body = _request(f"{url}/decode", body=encoded, headers={"Origin": UI})
    assert status == 200
    assert json.loads(body) == _payloads_json("a secret", "two")
    # Plain payloads are shown as they are.
    assert json.loads(_request(f"{url}/decode", body=_payloads_json("x"))[2]) == \
        _payloads_json("x")

    # Preflight: only the UI's origins, with exactly the UI's headers.
    status, headers, _ = _request(f"{url}/decode", "OPTIONS", headers={
        "Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8233"
    assert headers["Access-Control-Allow-Headers"] == "content-type,x-namespace,authorization"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = _request(f"{url}/decode", "OPTIONS",
                                  headers={"Origin": "http://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    # A page from another origin cannot use it, even without a preflight.
    assert _request(f"{url}/decode", body=encoded,
                    headers={"Origin": "http://evil.example"})[0] == 403
    # DNS rebinding: a foreign Host name is refused on a loopback bind.
    assert _request(f"{url}/decode", body=encoded, headers={"Host": "evil.example"})[0] == 403
    # Not JSON, not payloads, unknown path.
    assert _request(f"{url}/decode", body=encoded, headers={"Content-Type": "text/plain"})[0] \
        == 415
    assert _request(f"{url}/decode", body={"payloads": 3})[0] == 400
    assert _request(f"{url}/other", body=encoded)[0] == 404


def test_codec_server_names_an_unknown_key(codec_server: CodecServer) -> None:
    other = _codec(os.urandom(32))
    sealed = other.encode_sync([Payload(metadata={"encoding": b"json/plain"}, data=b"1")])
    body = json.loads(json_format.MessageToJson(Payloads(payloads=sealed)))
    status, _, out = _request(f"{codec_server.ui_endpoint}/decode", body=body)
    assert status == 422
    assert other.keyring.current_id in json.loads(out)["error"]


def test_codec_server_token_rule() -> None:
    with pytest.raises(ConfigError, match="decrypt payloads for anyone") as info:
        CodecServer(_codec(os.urandom(32)), host="0.0.0.0", port=0)
    assert "RESEARCH_CODEC_TOKEN" in info.value.hint
    srv = CodecServer(_codec(os.urandom(32)), host="0.0.0.0", port=0, token=TOKEN,
                      origins=[UI]).start()
    try:
        url = f"http://127.0.0.1:{srv.port}"
        body = _payloads_json("x")
        status, headers, _ = _request(f"{url}/encode", body=body)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
        assert _request(f"{url}/encode", body=body,
                        headers={"Authorization": "Bearer wrong"})[0] == 401
        assert _request(f"{url}/decode", body=body,
                        headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200
        # With a token the UI may send it: the preflight allows the header.
        _, headers, _ = _request(f"{url}/encode", "OPTIONS", headers={"Origin": UI})
        assert headers["Access-Control-Allow-Headers"] == "content-type,x-namespace,authorization"
    finally:
        srv.stop()


def test_codec_server_from_settings_uses_the_ui_port_and_endpoint(tmp_path: Path) -> None:
    settings = Settings(payload_key=PAYLOAD_KEY, temporal_address="127.0.0.1:7300",
                        ui_codec_endpoint="http://127.0.0.1:0", data_dir=str(tmp_path))
    srv = codec_server_from_settings(settings)
    try:
        assert srv.origins == {"http://localhost:8300", "http://127.0.0.1:8300"}
        assert srv.codec.keyring.current == base64.b64decode(PAYLOAD_KEY)
    finally:
        srv.httpd.server_close()


def _wait_port(port: int, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[0])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("codec server did not open its port")


def test_codec_server_command(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    port = free_port()
    cmd = [sys.executable, "-m", "durable_research.cli", "codec-server", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        # The user copies the endpoint it prints (with this launch's token) into the UI.
        assert proc.stdout is not None
        printed = ""
        while not (found := re.search(rf"http://127\.0\.0\.1:{port}/[\w-]{{43}}", printed)):
            line = proc.stdout.readline()
            assert line, printed
            printed += line
        _wait_port(port, proc)
        status, _, body = _request(f"{found.group(0)}/decode", body=_sealed_json("q"))
        assert status == 200 and json.loads(body) == _payloads_json("q")
        assert _request(f"http://127.0.0.1:{port}/decode", body=_sealed_json("q"))[0] == 401
        assert _request(f"{found.group(0)}/encode", body=_payloads_json("q"))[0] == 403
        proc.terminate()
        token = found.group(0).rsplit("/", 1)[1]
        log = [line for line in proc.communicate(timeout=10)[0].splitlines() if "POST" in line]
        assert any("POST /<token>/decode" in line for line in log), log
        assert not any(token in line for line in log)  # the request log never shows it
    finally:
        proc.kill()
        proc.wait(timeout=10)
    refused = subprocess.run([*cmd[:-2], "--host", "0.0.0.0", "--port", str(free_port())],
                             env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "decrypt payloads for anyone" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr


def test_plain_data_converter_is_really_plain() -> None:
    """The rogue tests rely on Temporal's default converter having no codec."""
    assert DataConverter.default.payload_codec is None


def _sealed_json(*texts: str) -> dict[str, Any]:
    """Payloads encrypted with the session's key, as a history holds them."""
    plain = json_format.Parse(json.dumps(_payloads_json(*texts)), Payloads()).payloads
    sealed = _codec(base64.b64decode(PAYLOAD_KEY)).encode_sync(plain)
    value: dict[str, Any] = json.loads(json_format.MessageToJson(Payloads(payloads=sealed)))
    return value


def test_a_local_process_cannot_use_the_codec_server(tmp_path: Path) -> None:
    """High #1: `research codec-server` on 127.0.0.1 without a token let any local
    process seal a start input with the user's key (/encode: the worker then ran it)
    and read every payload (/decode). Now both need the launch token, and /encode is
    off unless asked for."""
    settings = Settings(payload_key=PAYLOAD_KEY, data_dir=str(tmp_path))
    srv = codec_server_from_settings(settings, port=0).start()  # as the command builds it
    try:
        question, sealed = _payloads_json("a question paid by you"), _sealed_json("secret")
        assert _request(f"{srv.url}/encode", body=question)[0] == 401
        assert _request(f"{srv.url}/decode", body=sealed)[0] == 401
        assert _request(f"{srv.url}/{'x' * 43}/decode", body=sealed)[0] == 401
        # The Web UI cannot send a header: the token is in the endpoint's path.
        assert srv.ui_endpoint == f"{srv.url}/{srv.token}"
        status, _, body = _request(f"{srv.ui_endpoint}/decode", body=sealed)
        assert status == 200 and json.loads(body) == _payloads_json("secret")
        bearer = {"Authorization": f"Bearer {srv.token}"}  # temporal --codec-auth
        assert _request(f"{srv.url}/decode", body=sealed, headers=bearer)[0] == 200
        status, _, body = _request(f"{srv.ui_endpoint}/encode", body=question)
        assert status == 403 and "--encode" in json.loads(body)["error"]
    finally:
        srv.stop()
    with_encode = codec_server_from_settings(settings, port=0, encode=True).start()
    try:
        assert _request(f"{with_encode.ui_endpoint}/encode", body=question)[0] == 200
    finally:
        with_encode.stop()


def test_codec_token_rules_and_throttle() -> None:
    """Low: no length check and no throttle on the codec server's token either."""
    with pytest.raises(ConfigError, match="at least 32 characters"):
        CodecServer(_codec(os.urandom(32)), port=0, token="s3cret")
    with pytest.raises(ConfigError, match="--insecure-no-token is refused on 0.0.0.0"):
        CodecServer(_codec(os.urandom(32)), host="0.0.0.0", port=0, insecure_no_token=True)
    open_srv = CodecServer(_codec(os.urandom(32)), port=0, insecure_no_token=True).start()
    try:  # the explicit opt-out on loopback: no token asked
        assert _request(f"{open_srv.url}/decode", body=_payloads_json("x"))[0] == 200
    finally:
        open_srv.stop()
    srv = CodecServer(_codec(os.urandom(32)), port=0, token=TOKEN).start()
    try:
        for n in range(MAX_FAILURES):
            assert _request(f"{srv.url}/guess{n:040d}/decode", body=_payloads_json("x"))[0] \
                == 401
        status, headers, _ = _request(f"{srv.url}/{TOKEN}/decode", body=_payloads_json("x"))
        assert status == 429 and int(headers["Retry-After"]) > 0
    finally:
        srv.stop()
