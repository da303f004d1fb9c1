"""Shared test helpers: paths of the real fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
KONA = FIXTURES / "kona"


@pytest.fixture(scope="session")
def kona_dir() -> Path:
    return KONA
