"""What keeps a server's per-run cost and memory down: figures kept with their capture, models out of the GC's walk."""

import gc

from attention_explorer.models.core.memory import OwnedMemo
from attention_explorer.pages.shared import warmup


class Capture:
    """Stands in for a capture: any object a figure is drawn from."""


def test_a_value_is_built_once_per_owner_and_key_and_shared():
    memo, built = OwnedMemo(per_owner=4), []

    def make(tag):
        built.append(tag)
        return [tag]

    a, b = Capture(), Capture()
    first = memo.get_or_make(a, ("heatmap", 0, 0), lambda: make("a00"))
    assert memo.get_or_make(a, ("heatmap", 0, 0), lambda: make("again")) is first  # the same object, not rebuilt
    memo.get_or_make(b, ("heatmap", 0, 0), lambda: make("b00"))  # same key, another capture: its own figure
    assert built == ["a00", "b00"]


def test_each_owner_keeps_only_its_most_recent_values():
    memo, a = OwnedMemo(per_owner=2), Capture()
    for head in range(3):
        memo.get_or_make(a, head, lambda head=head: head)
    assert len(memo) == 2
    rebuilt = []
    memo.get_or_make(a, 0, lambda: rebuilt.append(0) or 0)  # head 0 was the least recently used: dropped
    assert rebuilt == [0]


def test_values_go_when_their_owner_is_freed():
    memo = OwnedMemo(per_owner=8)
    owner = Capture()
    memo.get_or_make(owner, "grid", lambda: bytearray(1_000_000))
    assert len(memo) == 1
    del owner
    gc.collect()
    assert len(memo) == 0  # and a new object that gets the same id starts empty
    fresh, rebuilt = Capture(), []
    memo.get_or_make(fresh, "grid", lambda: rebuilt.append(1) or 1)
    assert rebuilt == [1]


def test_what_a_cache_loads_is_moved_out_of_the_collectors_walk():
    gc.unfreeze()
    before = gc.get_freeze_count()
    model = warmup.settled({"weights": [object() for _ in range(1000)]})
    try:
        assert gc.get_freeze_count() >= before + 1000  # the model's objects are frozen, not walked per run
        assert model["weights"]  # and handed back unchanged
    finally:
        gc.unfreeze()
