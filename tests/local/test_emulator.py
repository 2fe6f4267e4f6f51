"""The embedded emulator: endpoint, environment, and no lost writes under concurrent clients."""

import os
import socket
import threading
import uuid

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.emulator_bench import create_table, dynamodb_client, run_concurrent_writes
from chalicelib.local.emulator import Emulator, SerialisingMiddleware, configure_environment


def test_the_endpoint_serves_aws_requests_and_closes_on_stop():
    emulator = Emulator(port=0).start()
    endpoint = emulator.endpoint_url
    port = int(endpoint.rsplit(":", 1)[1])
    assert endpoint == f"http://127.0.0.1:{port}" and port > 0
    assert "TableNames" in dynamodb_client(endpoint).list_tables()

    emulator.stop()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_configure_environment_sends_boto3_to_the_emulator_and_keeps_real_credentials(emulator, monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "set-before-the-test")  # so that teardown restores the original
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "already-set")

    configure_environment(emulator.endpoint_url, region="eu-west-1")

    assert os.environ["AWS_ENDPOINT_URL"] == emulator.endpoint_url
    assert os.environ["AWS_DEFAULT_REGION"] == os.environ["AWS_REGION"] == "eu-west-1"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "already-set"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "testing"
    name = f"env-{uuid.uuid4().hex[:8]}"
    create_table(boto3.session.Session().client("dynamodb"), name)  # no endpoint given
    assert name in dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].tables


def test_the_lock_is_held_until_the_response_body_is_produced():
    lock = threading.Lock()
    seen_locked = []

    def lazy_app(environ, start_response):
        start_response("200 OK", [])
        for chunk in (b"a", b"b"):
            seen_locked.append(lock.locked())
            yield chunk

    body = SerialisingMiddleware(lazy_app, lock)({"CONTENT_LENGTH": ""}, lambda *args: None)

    assert body == [b"ab"]
    assert seen_locked == [True, True]
    assert not lock.locked()


def test_an_in_process_reader_holding_the_lock_holds_requests_back(emulator):
    client = dynamodb_client(emulator.endpoint_url)
    answered = threading.Event()

    def request():
        client.list_tables()
        answered.set()

    with emulator.lock:
        worker = threading.Thread(target=request)
        worker.start()
        assert not answered.wait(timeout=0.5)
    assert answered.wait(timeout=10)
    worker.join()


def test_no_acknowledged_write_is_lost_under_32_concurrent_clients(emulator):
    report = run_concurrent_writes(emulator.endpoint_url, threads=32, ops_per_thread=20)

    assert report.unexpected == []
    assert report.http_5xx == 0
    # Per thread: 5 puts, 5 increments, 5 transactions (increment + put), 5 cancelled ones.
    assert report.acknowledged == 32 * 20
    assert report.cancelled == 32 * 5
    assert report.lost == 0
    assert report.phantom == 0
