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


class InteropError(Exception):
    """An export or import that cannot go ahead; the message is one line saying why."""
