"""gc_paused: the collector off inside, on again after, and what was made inside not left to
the young generation's next collection."""

from __future__ import annotations

import gc

from studydeck.deckfile.load import gc_paused


def test_the_collector_resumes_and_what_was_made_is_in_the_oldest_generation():
    assert gc.isenabled()
    gc.collect()                # every count at zero: the next young collection is of gen 0 only
    with gc_paused():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
    assert gc.isenabled()
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(o) in young for o in made)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in made)
    assert gc.get_freeze_count() == 0


def test_objects_frozen_before_stay_frozen_and_a_disabled_collector_stays_off():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            kept = [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen and gc.isenabled() and kept
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
