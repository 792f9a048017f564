"""Where uploaded documents live: a small interface, with a local-directory implementation.

An object store can replace LocalStorage by offering the same three methods.
"""
import os
import re
import secrets
from pathlib import Path

_KEY = re.compile(r"^[a-f0-9]{32}\.(pdf|jpg|png)$")


class LocalStorage:
    """Files in one directory outside the web root, named by random keys."""

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key

    def save(self, data, extension):
        """Store `data`; returns its new random key."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = f"{secrets.token_hex(16)}.{extension}"
        fd = os.open(self._path(key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return key

    def read(self, key):
        return self._path(key).read_bytes()

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


def storage_from_config(config):
    return LocalStorage(config["SEAL_UPLOAD_DIR"])
