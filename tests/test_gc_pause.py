"""The collector's pause around bulk work."""

from __future__ import annotations

import gc

from tui_reader.store.gc_pause import gc_paused


def test_what_a_pause_made_is_aged_without_a_collection():
    gc.unfreeze()  # an earlier test may have frozen objects (the app does)
    assert gc.isenabled()
    collections = gc.get_stats()[0]["collections"]
    with gc_paused():
        made = [[n] for n in range(5_000)]
    assert gc.get_count()[0] < 100  # the young generation no longer holds them
    assert gc.get_stats()[0]["collections"] == collections  # and no pass walked them
    assert any(obj is made[-1] for obj in gc.get_objects(generation=2))


def test_a_pause_leaves_frozen_objects_frozen():
    kept = [[n] for n in range(100)]
    gc.freeze()
    try:
        with gc_paused():
            made = [[n] for n in range(5_000)]
        # still in the permanent generation, which get_objects does not walk (the freeze count
        # alone can drop meanwhile: a frozen object freed by another thread of the worker)
        assert gc.get_freeze_count() >= len(kept)
        tracked = gc.get_objects()
        assert not any(obj is kept[0] or obj is kept[-1] for obj in tracked)
        assert any(obj is made[-1] for obj in tracked)
    finally:
        gc.unfreeze()


def test_a_pause_inside_a_pause_leaves_the_collector_off():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
