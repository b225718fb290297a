"""Where attachment files are kept: a folder outside the web root, or an S3-compatible store.

The app speaks to one interface (`put`, `open`, `delete` by key); `storage()` picks the
backend from the configuration (ATTACHMENT_STORAGE: "local" or "s3"). Keys are made by the
caller (app.attachments: random, never a file name) and are checked here as well, so no key
can reach outside the folder or the bucket's prefix. Nothing here decides who may read a file:
that is app.access.attachments, and files are only ever served through the app.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

# What a key looks like: the hex of a random token (app.attachments.services.new_key).
_KEY = re.compile(r"^[0-9a-f]{32,64}$")


class StorageError(Exception):
    """The store could not be reached or did not do what was asked."""


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder (ATTACHMENT_DIR), two levels of sub-folders by the key's first
    characters so no folder grows huge. Written to a temporary name first and renamed, so a
    half-written file is never read as the attachment."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as out:
            if isinstance(data, bytes | bytearray):
                out.write(data)
            else:
                shutil.copyfileobj(data, out)
        os.replace(partial, path)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as error:
            raise StorageError(f"no file for key {key}") from error

    def delete(self, key: str) -> None:
        """Deleting a file that is already gone is not an error (a retried delete)."""
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in a bucket of any S3-compatible store (AWS, MinIO, Ceph, a Danish cloud),
    through boto3. S3_ENDPOINT_URL names the store (unset: AWS), S3_BUCKET the bucket, and
    S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY the credentials (unset: boto3's usual sources)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
    ) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if isinstance(data, bytes | bytearray):
                self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=bytes(data))
            else:
                self.client.upload_fileobj(data, self.bucket, self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error

    def delete(self, key: str) -> None:
        """S3 answers a delete of a missing object with success, so a retry is harmless."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(str(error)) from error


def storage() -> Storage:
    """The attachment store of the current app's configuration (an S3 client is made once
    per configuration and kept on the app)."""
    config = current_app.config
    kind = config.get("ATTACHMENT_STORAGE", "local")
    if kind == "local":
        return LocalStorage(config["ATTACHMENT_DIR"])
    if kind != "s3":
        raise RuntimeError(f"ATTACHMENT_STORAGE must be 'local' or 's3', not {kind!r}")
    settings = (
        config["S3_BUCKET"],
        config.get("S3_ENDPOINT_URL"),
        config.get("S3_REGION"),
        config.get("S3_ACCESS_KEY_ID"),
        config.get("S3_SECRET_ACCESS_KEY"),
        config.get("S3_PREFIX", ""),
    )
    cached = current_app.extensions.get("attachment_s3")
    if cached is None or cached[0] != settings:
        bucket, endpoint_url, region, key_id, secret, prefix = settings
        backend = S3Storage(
            bucket,
            endpoint_url=endpoint_url,
            region=region,
            access_key_id=key_id,
            secret_access_key=secret,
            prefix=prefix,
        )
        cached = current_app.extensions["attachment_s3"] = (settings, backend)
    return cached[1]
