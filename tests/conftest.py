"""Every test runs with STUDYDECK_HOME in a temporary folder, never the real one."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def studydeck_home(tmp_path, monkeypatch):
    home = tmp_path / "studydeck-home"
    monkeypatch.setenv("STUDYDECK_HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    return home
