"""Anki in and out: ``.apkg`` and text export, ``.apkg``/``.colpkg``/text import.

Modules, by direction:

- out: ``notetypes`` (the fixed Anki note types), ``html`` (Markdown to HTML,
  with ``md_subset``, markdown-it's answer for common text without it),
  ``cloze_source`` (a cloze note's text read again from its file),
  ``apkg_export`` (genanki), ``text_export`` (Anki's text format), ``export``
  (what a deck becomes, drill variants, the command);
- in: ``anki_read`` (packages, both formats), ``text_read`` (text files),
  ``convert`` (Anki notes to studydeck notes), ``html`` (HTML to Markdown, with
  ``html_subset``, markdownify's answer for common HTML without it),
  ``yaml_write`` (deck files), ``history`` (the review log replayed through
  FSRS), ``importer`` (the command).

Importing this package is cheap: genanki, zstandard, markdown-it-py and
markdownify load inside the functions that need them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an export or import builds its objects.

    Ten thousand notes make a few hundred thousand acyclic tuples, dicts and
    strings; each burst of allocations starts a collection that rescans
    everything alive.  Reference counting still frees them; the collector
    resumes afterwards if it was running (the deck loader does the same).

    What the pause made and is still alive would all be scanned by the first
    young collection after it (~10 ms after an import of 10,000 notes), so it
    goes to the oldest generation instead (``gc.freeze`` then ``gc.unfreeze``,
    two list moves), unless something else froze objects, which stay frozen.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.enable()
                gc.unfreeze()
            else:
                gc.enable()


class InteropError(Exception):
    """An export or import that cannot go ahead; the message is one line saying why."""
