"""Revision tokens: a file whose content changes whenever some rows change.

A process that caches what it read from those rows keeps the token it read first and drops the
cache when the file says something else, so every worker process on the machine sees a change at
its next request without asking the database. Several machines need the file on shared storage.
RevisionCache is such a cache.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def read_token(path: Path) -> bytes:
    """The current token, b"" when none was written yet."""
    # os-level calls: this runs on every request that uses a cache; pathlib's read_text costs ten times more.
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    try:
        return os.read(descriptor, 64)
    finally:
        os.close(descriptor)


def bump_token(path: Path) -> None:
    """Write a new token atomically: readers see the old one or the new one, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(uuid.uuid4().hex)
    os.replace(temporary, path)


class Generation(Generic[K, V]):
    """What one process keeps for one revision: values by key, the least recently used dropped first."""

    def __init__(self, revision: bytes, max_entries: int, *, keep_in_transactions: bool = False) -> None:
        self.revision = revision
        self.started = time.monotonic()
        self.max_entries = max_entries
        self.keep_in_transactions = keep_in_transactions
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def lookup(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def store(self, key: K, value: V) -> None:
        """Keep the value, unless it was read inside a transaction.

        Rows read inside a transaction may be uncommitted and rolled back: they are never kept.
        """
        if transaction.get_connection().in_atomic_block and not self.keep_in_transactions:
            return
        with self._lock:
            self._values[key] = value
            if len(self._values) > self.max_entries:
                self._values.popitem(last=False)

    def get(self, key: K, build: Callable[[], V]) -> V:
        value = self.lookup(key)
        if value is None:
            value = build()
            self.store(key, value)
        return value


class RevisionCache(Generic[K, V]):
    """Values each process keeps while the revision token of the rows they were read from stays.

    Callers take ``generation()`` first and then read the rows: a change committed meanwhile
    replaces the generation, so what they store can only be served for the revision it was read
    under. ``watch()`` starts a new revision whenever a row of the given models is saved or deleted
    (the admin, imports and the seed command all send the model signals; bulk ``QuerySet.update()``
    sends none and must not be used on them). With ``max_age`` a process also drops its values
    after that many seconds: a safety net for writes made behind the application's back, or a
    process killed between its commit and the new token.
    """

    def __init__(self, token_file: Path, *, max_entries: int, max_age: float | None = None) -> None:
        self.token_file = token_file
        self.max_entries = max_entries
        self.max_age = max_age
        self.keep_in_transactions = False  # tests that run inside a transaction switch this on
        self._generation: Generation[K, V] = self._generation_new(b"")

    def _generation_new(self, revision: bytes) -> Generation[K, V]:
        return Generation(revision, self.max_entries, keep_in_transactions=self.keep_in_transactions)

    def generation(self) -> Generation[K, V]:
        """The values of the current revision, a new empty generation when the token changed."""
        revision = read_token(self.token_file)
        current = self._generation
        expired = self.max_age is not None and time.monotonic() - current.started > self.max_age
        if (
            current.revision != revision
            or expired
            or current.keep_in_transactions != self.keep_in_transactions
        ):
            current = self._generation = self._generation_new(revision)
        return current

    def clear(self) -> None:
        """Drop what this process keeps."""
        self._generation = self._generation_new(self._generation.revision)

    def changed(self) -> None:
        """Start a new revision: every process drops its values at its next use."""
        bump_token(self.token_file)

    def row_changed(self, sender: type[Model], **kwargs: Any) -> None:
        """A signal receiver. The revision changes at once, so that the changing transaction stops
        using what was kept; and again after the commit, so that what another process read from the
        old rows meanwhile is dropped too."""
        self.changed()
        transaction.on_commit(self.changed, using=kwargs.get("using"))

    def watch(self, models: Iterable[type[Model]], *, name: str) -> None:
        for model in models:
            uid = f"{name}-{model.__name__}"
            post_save.connect(self.row_changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(self.row_changed, sender=model, weak=False, dispatch_uid=uid)
