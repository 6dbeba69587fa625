"""Deck files to cards: safe YAML loading, the schema, notes, cloze and the parse cache.

A deck file flows load -> yaml_nodes -> schema/fields -> notes/cloze -> model.Card;
``cache`` keeps parsed decks by file hash.  Importing the package is cheap.
"""
