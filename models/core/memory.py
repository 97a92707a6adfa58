"""Memory that stays bounded: a byte-budgeted LRU for large results, and handing freed memory back to the OS."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByteLRU(Generic[V]):
    """A thread-safe least-recently-used cache bounded by the total size of its values, not their count.

    A 512-token capture of a 6 × 12 model is 75 MB and a 20-token one 0.1 MB: counting entries bounds
    neither memory nor usefulness. Values are shared by reference (never copied), so they must be read-only.
    """

    def __init__(self, budget_bytes: int, size_of: Callable[[V], int]):
        self.budget = budget_bytes
        self.size_of = size_of
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        value = make()  # outside the lock: two sessions may compute the same value once each, never wait
        size = self.size_of(value)
        with self._lock:
            if key not in self._items and size <= self.budget:
                self._items[key] = (value, size)
                self._bytes += size
                while self._bytes > self.budget:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        return value

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class OwnedMemo:
    """Values derived from an object (figures of a capture), kept while that object lives, a few per object.

    Keyed by the owner's identity, not its contents: a capture shared through the run cache is the same
    object for every session that shows it, so what one session built the next reuses. When the owner is
    freed (dropped from the run cache and from every session) its values go with it, so this memory stays
    a fraction of the run cache's own budget. Values are shared by reference, so they must be read-only.
    """

    def __init__(self, per_owner: int):
        self.per_owner = per_owner
        self._owners: dict[int, OrderedDict[Hashable, object]] = {}
        self._lock = threading.Lock()

    def get_or_make(self, owner: object, key: Hashable, make: Callable[[], V]) -> V:
        ident = id(owner)
        with self._lock:
            values = self._owners.get(ident)
            if values is not None and key in values:
                values.move_to_end(key)
                return values[key]  # type: ignore[return-value]
        value = make()  # outside the lock: a slow build never holds up another session
        with self._lock:
            values = self._owners.get(ident)
            if values is None:
                values = self._owners[ident] = OrderedDict()
                weakref.finalize(owner, self._forget, ident)  # the id may be reused once the owner is gone
            values[key] = value
            while len(values) > self.per_owner:
                values.popitem(last=False)
        return value

    def _forget(self, ident: int) -> None:
        with self._lock:
            self._owners.pop(ident, None)

    def __len__(self) -> int:
        return sum(len(v) for v in self._owners.values())


_libc_name = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_libc_name) if _libc_name else None


def release_free_memory() -> bool:
    """Ask glibc to return freed heap memory to the OS (malloc_trim); False where that is not available.

    Large numpy and torch temporaries (a long input's attention, its export) are freed after a run, but the
    allocator keeps the pages; without this the server's resident memory only ever grows.
    """
    trim = getattr(_libc, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_collected_at = 0  # resident bytes just after the last collection made here


def resident_bytes() -> int:
    """This process's resident memory in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def collect_when_grown(margin: int = 64 * 2**20) -> bool:
    """A full garbage collection, and the freed memory back to the OS, once resident memory has grown by
    `margin` since the last one; True when it ran.

    The app turns off Streamlit's collection after every script run (runner.postScriptGC: a quarter of a run's
    CPU). Python's own collector counts objects, not bytes: a few large arrays held by a dropped figure's or
    capture's reference cycles would wait for it indefinitely. Reading the resident size costs microseconds.
    """
    global _collected_at
    now = resident_bytes()
    if not _collected_at:  # the first call: the baseline (a collection now would walk every module just loaded)
        _collected_at = now
        return False
    if not now or now < _collected_at + margin:
        return False
    gc.collect()
    release_free_memory()
    _collected_at = resident_bytes()
    return True
