"""anvil fixtures for these tests: one anvil per session, reverted to genesis after each test."""

from __future__ import annotations

from anvil_util import anvil_fixture, anvil_node_fixture

__all__ = ["anvil_fixture", "anvil_node_fixture"]
