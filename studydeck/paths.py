"""Where studydeck keeps its files.

Every path the program reads or writes comes from here. Nothing is created on
import: callers that write ask for ``ensure_dir`` explicitly.

Precedence, highest first: ``--home DIR`` on the command line (passed in as
``home``), the ``STUDYDECK_HOME`` environment variable, then the platform's
user directories from platformdirs.  With a home directory, everything (the
collection, the config file and the parse cache) lives inside it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "studydeck"
COLLECTION_FILE = "collection.sqlite3"
CONFIG_FILE = "config.toml"


def home_dir(home: str | os.PathLike[str] | None = None) -> Path | None:
    """The explicit home directory, if one was given, else None."""
    if home:
        return Path(home).expanduser()
    env = os.environ.get("STUDYDECK_HOME")
    if env:
        return Path(env).expanduser()
    return None


def data_dir(home: str | os.PathLike[str] | None = None) -> Path:
    explicit = home_dir(home)
    if explicit is not None:
        return explicit
    import platformdirs  # deferred: only needed without a home directory

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(home: str | os.PathLike[str] | None = None) -> Path:
    explicit = home_dir(home)
    if explicit is not None:
        return explicit
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir(home: str | os.PathLike[str] | None = None) -> Path:
    explicit = home_dir(home)
    if explicit is not None:
        return explicit / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """Where an unexpected error's details are written."""
    explicit = home_dir(home)
    if explicit is not None:
        return explicit / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def collection_path(home: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(home) / COLLECTION_FILE


def config_path(home: str | os.PathLike[str] | None = None) -> Path:
    return config_dir(home) / CONFIG_FILE


def bundled_decks_dir() -> Path:
    """The decks shipped with the package.

    Installed, they sit in ``studydeck/decks/``; in a source checkout (an
    editable install or running from the tree) they are ``decks/`` beside the
    package.
    """
    here = Path(__file__).resolve().parent
    installed = here / "decks"
    if installed.is_dir():
        return installed
    return here.parent / "decks"



def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing; for callers about to write there."""
    path.mkdir(parents=True, exist_ok=True)
    return path
