"""The static guards: ruff (pyflakes, pycodestyle, bugbear, pyupgrade) and the import contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    # The test extra installs both tools beside this interpreter.
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: install the test extra (pip install '.[test]')"
    return found


def test_ruff_is_clean():
    out = subprocess.run([_tool("ruff"), "check", "--no-cache", "studydeck", "tests", "benchmarks"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_import_contracts_hold():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
