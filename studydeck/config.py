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
theme = "textual-dark"       # the app's colours; the app saves the theme you pick

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

Every bad setting is reported at once, one per line, each with the file
(and for a TOML syntax error its line and column).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path

from studydeck import paths
from studydeck.safetext import shown


class ConfigError(Exception):
    """A settings file or option that cannot be used; the message says where and why."""


_STEP = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_STEP_DAYS = 365
MAX_COUNT = 1_000_000
"""The largest new_per_day, max_reviews_per_day and leech_threshold taken: far
beyond any real use, and far inside the integers SQLite stores."""

RANGES: dict[str, tuple[type, float, float, str]] = {
    "desired_retention": (float, 0.7, 0.99, "between {lo} and {hi}"),
    "new_per_day": (int, 0, MAX_COUNT, "a whole number from {lo} to {hi:,}"),
    "max_reviews_per_day": (int, 0, MAX_COUNT, "a whole number from {lo} to {hi:,}"),
    "leech_threshold": (int, 0, MAX_COUNT, "a whole number from {lo} to {hi:,}"),
    "day_starts_at": (int, 0, 23, "an hour from {lo} to {hi}"),
}
"""The settings with a range, wherever they are set (top level, ``[decks.ID]``,
``[presets.NAME]``, command line): kind (a ``float`` setting takes any number, an
``int`` one only whole numbers; never true/false), lowest, highest, and the words
that finish ``NAME must be ...``."""


def out_of_range(key: str, value: object) -> str | None:
    """``NAME must be ..., got VALUE`` if ``value`` breaks ``key``'s rule in :data:`RANGES`."""
    kind, lo, hi, wording = RANGES[key]
    accepted = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, accepted) or not lo <= value <= hi:
        return f"{key} must be {wording.format(lo=lo, hi=hi)}, got {value!r}"
    return None


def parse_step(text: str) -> timedelta:
    """'1m' -> 60 s, '10m', '1h', '1d', up to 365 days; raises ValueError on anything else."""
    match = _STEP.match(str(text).strip())
    if not match:
        raise ValueError(f"expected a duration like '1m', '10m', '1h' or '1d', got {shown(text)!r}")
    seconds = float(match.group(1)) * _UNIT[match.group(2)]
    if seconds > MAX_STEP_DAYS * 86400:
        raise ValueError(f"{shown(text)!r} is longer than {MAX_STEP_DAYS} days")
    return timedelta(seconds=seconds)


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
    theme: str = ""
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

    def problems(self) -> list[str]:
        """Every value out of range, as ``name must be ..., got ...``."""
        out = [problem for name in RANGES if (problem := out_of_range(name, getattr(self, name)))]
        for name in ("learning_steps", "relearning_steps"):
            for step in getattr(self, name):
                try:
                    parse_step(step)
                except ValueError as exc:
                    out.append(f"{name}: {exc}")
        return out

    def validate(self) -> Config:
        problems = self.problems()
        if problems:
            where = self.source or "settings"
            raise ConfigError("\n".join(f"{where}: {p}" for p in problems))
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
        return replace(self, **given, source="command line").validate() if given else self


_TYPES = {f.name: f.type for f in fields(Config) if f.name not in ("source", "decks", "presets")}


def load_config(home: str | None = None) -> Config:
    """Read the config file if there is one; defaults otherwise. Creates nothing."""
    import tomllib

    folder = paths.home_dir(home)
    if folder is not None and folder.exists() and not folder.is_dir():
        raise ConfigError(f"{shown(folder)}: STUDYDECK_HOME or --home is a file, expected a folder")
    path = paths.config_path(home)
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(path, exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    values: dict[str, object] = {}
    problems: list[str] = []
    for key, value in data.items():
        try:
            values[key] = _tables(key, value, problems) if key in ("decks", "presets") else _setting(key, value)
        except ValueError as exc:
            problems.append(str(exc))
    problems += Config(**values).problems()  # the values of the right type, in range?
    problems += _unknown_presets(values)
    if problems:
        raise ConfigError("\n".join(f"{path}: {p}" for p in problems))
    return Config(**values, source=str(path))


def _tables(kind: str, data: object, problems: list[str]) -> tuple[tuple[str, DeckSettings], ...]:
    """The ``[decks.ID]`` or ``[presets.NAME]`` tables; each bad value is added to ``problems``."""
    import difflib

    if not isinstance(data, dict):
        raise ValueError(f"'{kind}' must be tables such as [{kind}.NAME]")
    allowed = DECK_KEYS + (("preset",) if kind == "decks" else ())
    out = []
    for name, table in data.items():
        where = f"[{kind}.{shown(name)}]"
        if not isinstance(table, dict):
            problems.append(f"{where} must be a table of settings")
            continue
        given: dict[str, object] = {}
        for key, value in table.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
                problems.append(f"{where}: unknown setting '{shown(key)}'{hint}")
            elif key == "preset":
                if isinstance(value, str) and value:
                    given[key] = value
                else:
                    problems.append(f"{where}: preset must be a preset's name")
            elif problem := out_of_range(key, value):
                problems.append(f"{where}: {problem}")
            else:
                kind = RANGES[key][0]
                given[key] = kind(value)      # a whole-number retention is taken as a float
        out.append((name, DeckSettings(**given)))
    return tuple(out)


def _unknown_presets(values: dict[str, object]) -> list[str]:
    """A ``[decks.ID]`` naming a preset that no ``[presets.NAME]`` table defines."""
    import difflib

    names = {name for name, _ in values.get("presets", ())}
    out = []
    for deck_id, own in values.get("decks", ()):
        if own.preset is not None and own.preset not in names and own.preset != DEFAULT_PRESET:
            close = difflib.get_close_matches(own.preset, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; add a [presets.{own.preset}] table"
            out.append(f"[decks.{deck_id}] uses preset '{own.preset}', which is not defined{hint}")
    return out


def _setting(key: str, value: object) -> object:
    """One setting from the file, checked against its type; ValueError says what is wrong."""
    if key not in _TYPES:
        import difflib

        close = difflib.get_close_matches(key, _TYPES, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"unknown setting '{key}'{hint}")
    expected = str(_TYPES[key])
    if "tuple" in expected:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{key} must be a list of strings")
        return tuple(value)
    if expected == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{key} must be a number")
        return float(value)
    if expected == "bool" and not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    if expected == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{key} must be a whole number")
    if expected == "str" and not isinstance(value, str):
        raise ValueError(f"{key} must be a string in quotes")
    return value


def _toml_error(path: Path, exc: Exception) -> str:
    """``FILE:LINE:COL: message`` from tomllib's ``message (at line L, column C)``."""
    match = re.search(r"^(.*?) \(at line (\d+), column (\d+)\)$", str(exc))
    if match:
        return f"{path}:{match.group(2)}:{match.group(3)}: TOML syntax error: {match.group(1)}"
    return f"{path}: TOML syntax error: {exc}"


def save_setting(key: str, value: str, home: str | None = None) -> Path:
    """Set one string setting in the config file, leaving every other line as it is
    (the app saves the chosen theme this way).  Creates the file if needed."""
    if str(_TYPES.get(key)) != "str":
        raise ValueError(f"{key} is not a string setting")
    path = paths.config_path(home)
    line = f"{key} = {_toml_string(value)}\n"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$\n?", re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: line, text, count=1)
    else:
        text += ("" if not text or text.endswith("\n") else "\n") + line
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

