"""Fixtures of the pre-image wire tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _wire import Pipes


@pytest.fixture
def pipes() -> Iterator[Pipes]:
    p = Pipes()
    try:
        yield p
    finally:
        p.close_all()
