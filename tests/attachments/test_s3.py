"""The S3 attachment store against a real S3 API: moto's server, on loopback, in this process."""

from __future__ import annotations

import boto3
import pytest
from sqlalchemy import select

from app.models import Attachment, Role
from app.storage import S3Storage, StorageError, storage
from tests import factories
from tests.attachments.conftest import upload
from tests.conftest import login, post

BUCKET = "elevsag-bilag"
KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}  # moto takes any


@pytest.fixture(scope="module")
def s3_endpoint():
    moto = pytest.importorskip("moto.server")
    server = moto.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    yield endpoint
    server.stop()


@pytest.fixture
def s3_app(app, s3_endpoint):
    app.config.update(
        ATTACHMENT_STORAGE="s3",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_BUCKET=BUCKET,
        S3_REGION="eu-north-1",
        S3_PREFIX="test/",
        **KEYS,
    )
    return app


def _objects(s3_endpoint) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_s3_store_puts_opens_and_deletes(s3_app, s3_endpoint):
    store = storage()
    assert isinstance(store, S3Storage)
    key = "ab" * 32
    store.put(key, b"%PDF-1.4 hello")
    assert f"test/{key}" in _objects(s3_endpoint)
    assert store.open(key).read() == b"%PDF-1.4 hello"
    store.delete(key)
    store.delete(key)  # a retried delete of a gone object is no error
    assert f"test/{key}" not in _objects(s3_endpoint)
    with pytest.raises(StorageError):
        store.open(key)
    with pytest.raises(ValueError):
        store.put("../../etc/passwd", b"x")  # only our own random keys


def test_an_upload_goes_to_the_bucket_and_back_and_is_removed_from_it(
    s3_app, s3_endpoint, client, db, world
):
    s = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    response = upload(client, s, "measure", world.a.measure.id, factories.MINIMAL_PDF, "s3.pdf")
    assert response.status_code == 302
    row = db.session.scalars(select(Attachment)).one()
    key, attachment_id = row.storage_key, row.id
    assert f"test/{key}" in _objects(s3_endpoint)
    download = client.get(f"/students/{s.id}/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.data == factories.MINIMAL_PDF
    assert post(client, f"/students/{s.id}/attachments/{attachment_id}/delete").status_code == 302
    assert f"test/{key}" not in _objects(s3_endpoint)
