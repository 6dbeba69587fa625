"""User settings: a TOML file in the config dir, overridable on the command line.

```toml
desired_retention = 0.9      # FSRS target probability of recall, 0.7 to 0.99
new_per_day = 20             # new cards introduced per day
max_reviews_per_day = 200    # review cards shown per day (learning cards are never capped)
deck_folders = ["~/decks"]   # searched for *.yaml besides the bundled decks
bundled_decks = true         # include the decks shipped with studydeck
learning_steps = ["1m", "10m"]
relearning_steps = ["10m"]
leech_threshold = 8          # lapses before a card is flagged as a leech
day_starts_at = 4            # local hour at which a new study day begins (as Anki)
fuzz = true                  # spread review intervals slightly, as FSRS and Anki do
bury_siblings = true         # a new card waits a day while its note's other cards are studied

[presets.exam]               # settings shared by several decks
new_per_day = 30
desired_retention = 0.95

[decks.lstm-cell]            # one deck: a preset, and/or its own values
preset = "exam"
new_per_day = 10             # max_reviews_per_day and desired_retention too
```

A deck's value comes from its own table, else its preset, else the top level.
``new_per_day`` and ``max_reviews_per_day`` at the top level still cap all decks
together.  A deck without a preset uses the preset named ``default``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path

from studydeck import paths


class ConfigError(Exception):
    """A settings file or option that cannot be used; the message says where and why."""


_STEP = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_step(text: str) -> timedelta:
    """'1m' -> 60 s, '10m', '1h', '1d'; raises ValueError on anything else."""
    match = _STEP.match(str(text).strip())
    if not match:
        raise ValueError(f"expected a duration like '1m', '10m', '1h' or '1d', got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2)])


DECK_KEYS = ("new_per_day", "max_reviews_per_day", "desired_retention")
DEFAULT_PRESET = "default"


@dataclass(frozen=True)
class DeckSettings:
    """One ``[decks.ID]`` or ``[presets.NAME]`` table; None: not set there."""

    preset: str | None = None
    new_per_day: int | None = None
    max_reviews_per_day: int | None = None
    desired_retention: float | None = None


@dataclass(frozen=True)
class DeckLimits:
    """What applies to one deck, every value resolved."""

    preset: str
    new_per_day: int
    max_reviews_per_day: int
    desired_retention: float


@dataclass(frozen=True)
class Config:
    desired_retention: float = 0.9
    new_per_day: int = 20
    max_reviews_per_day: int = 200
    deck_folders: tuple[str, ...] = ()
    bundled_decks: bool = True
    learning_steps: tuple[str, ...] = ("1m", "10m")
    relearning_steps: tuple[str, ...] = ("10m",)
    leech_threshold: int = 8
    day_starts_at: int = 4
    fuzz: bool = True
    bury_siblings: bool = True
    decks: tuple[tuple[str, DeckSettings], ...] = ()     # [decks.ID] tables
    presets: tuple[tuple[str, DeckSettings], ...] = ()   # [presets.NAME] tables
    source: str = field(default="", compare=False)

    def preset_name(self, deck_id: str) -> str:
        own = dict(self.decks).get(deck_id)
        return own.preset if own is not None and own.preset else DEFAULT_PRESET

    def for_deck(self, deck_id: str) -> DeckLimits:
        """The limits and retention of one deck: its table, else its preset, else the top level."""
        name = self.preset_name(deck_id)
        layers = [dict(self.decks).get(deck_id), dict(self.presets).get(name)]
        values = {}
        for key in DECK_KEYS:
            chosen = next((getattr(layer, key) for layer in layers
                           if layer is not None and getattr(layer, key) is not None), None)
            values[key] = getattr(self, key) if chosen is None else chosen
        return DeckLimits(name, **values)

    def validate(self) -> Config:
        where = self.source or "settings"
        if not 0.7 <= self.desired_retention <= 0.99:
            raise ConfigError(f"{where}: desired_retention must be between 0.7 and 0.99, got {self.desired_retention}")
        for name in ("new_per_day", "max_reviews_per_day", "leech_threshold"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{where}: {name} must be a whole number ≥ 0, got {value!r}")
        if not 0 <= self.day_starts_at <= 23:
            raise ConfigError(f"{where}: day_starts_at must be an hour from 0 to 23, got {self.day_starts_at!r}")
        for name in ("learning_steps", "relearning_steps"):
            for step in getattr(self, name):
                try:
                    parse_step(step)
                except ValueError as exc:
                    raise ConfigError(f"{where}: {name}: {exc}") from None
        return self

    @property
    def learning_deltas(self) -> tuple[timedelta, ...]:
        return tuple(parse_step(s) for s in self.learning_steps)

    @property
    def relearning_deltas(self) -> tuple[timedelta, ...]:
        return tuple(parse_step(s) for s in self.relearning_steps)

    def deck_paths(self) -> list[Path]:
        """Deck folders to load: the configured ones, then the bundled decks."""
        found = [Path(os.path.expanduser(p)) for p in self.deck_folders]
        if self.bundled_decks:
            found.append(paths.bundled_decks_dir())
        return found

    def with_overrides(self, **overrides: object) -> Config:
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given).validate() if given else self


_TYPES = {f.name: f.type for f in fields(Config) if f.name not in ("source", "decks", "presets")}


def load_config(home: str | None = None) -> Config:
    """Read the config file if there is one; defaults otherwise. Creates nothing."""
    import tomllib

    path = paths.config_path(home)
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in ("decks", "presets"):
            values[key] = _tables(path, key, value)
            continue
        if key not in _TYPES:
            import difflib

            close = difflib.get_close_matches(key, _TYPES, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ConfigError(f"{path}: unknown setting '{key}'{hint}")
        expected = _TYPES[key]
        if "tuple" in str(expected):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: {key} must be a list of strings")
            value = tuple(value)
        elif expected in ("float", float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{path}: {key} must be a number")
            value = float(value)
        elif expected in ("bool", bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: {key} must be true or false")
        elif expected in ("int", int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{path}: {key} must be a whole number")
        values[key] = value
    config = Config(**values, source=str(path)).validate()
    names = {name for name, _ in config.presets}
    for deck_id, own in config.decks:
        if own.preset is not None and own.preset not in names and own.preset != DEFAULT_PRESET:
            import difflib

            close = difflib.get_close_matches(own.preset, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; add a [presets.{own.preset}] table"
            raise ConfigError(f"{path}: [decks.{deck_id}] uses preset '{own.preset}', which is not defined{hint}")
    return config


def _tables(path: Path, kind: str, data: object) -> tuple[tuple[str, DeckSettings], ...]:
    """The ``[decks.ID]`` or ``[presets.NAME]`` tables, checked."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: '{kind}' must be tables such as [{kind}.NAME]")
    allowed = DECK_KEYS + (("preset",) if kind == "decks" else ())
    out = []
    for name, table in data.items():
        where = f"{path}: [{kind}.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table of settings")
        given: dict[str, object] = {}
        for key, value in table.items():
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
                raise ConfigError(f"{where}: unknown setting '{key}'{hint}")
            if key == "preset":
                if not isinstance(value, str) or not value:
                    raise ConfigError(f"{where}: preset must be a preset's name")
            elif key == "desired_retention":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.7 <= value <= 0.99:
                    raise ConfigError(f"{where}: desired_retention must be between 0.7 and 0.99, got {value!r}")
                value = float(value)
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNT:
                raise ConfigError(f"{where}: {key} must be a whole number from 0 to {_MAX_COUNT}, got {value!r}")
            given[key] = value
        out.append((name, DeckSettings(**given)))
    return tuple(out)


_MAX_COUNT = 1_000_000
