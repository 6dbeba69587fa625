"""A fingerprint of a question's given values, shared by the fixture maker and its test."""

from __future__ import annotations

import hashlib
import json
import re


def given_hash(given: dict) -> str:
    """SHA-256 of the given values as JSON, numbers rounded to 12 significant figures."""
    text = json.dumps(given, sort_keys=True, default=str, separators=(",", ":"), allow_nan=False)
    text = re.sub(r"-?\d+\.\d+(?:e-?\d+)?", lambda m: f"{float(m.group()):.12g}", text)
    return hashlib.sha256(text.encode()).hexdigest()
