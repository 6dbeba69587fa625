"""Widgets the screens share: the deck table, the rating bar, card text, a drill view."""
