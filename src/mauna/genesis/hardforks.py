"""OP Stack network upgrades ("hardforks") in activation order.

Spec: protocol/superchain-upgrades.md and protocol/<fork>/overview.md. Every OP Stack upgrade after
Bedrock activates at an L2 block timestamp configured in the rollup config (``<fork>_time``); the
upgrades are linearly ordered, so an active upgrade implies that every earlier one is active too.

The Pectra blob schedule (protocol/pectra-blob-schedule/overview.md) is *not* part of this order: it
is an optional, separately timed switch of the L1-info blob base fee update fraction, keyed by the
L1 origin timestamp (see :mod:`mauna.genesis.blob_schedule`).
"""

from __future__ import annotations

from enum import IntEnum

from mauna.errors import ConfigError


class Hardfork(IntEnum):
    """An OP Stack network upgrade; comparison follows activation order."""

    BEDROCK = 0
    REGOLITH = 1
    CANYON = 2
    DELTA = 3
    ECOTONE = 4
    FJORD = 5
    GRANITE = 6
    HOLOCENE = 7
    ISTHMUS = 8
    JOVIAN = 9
    INTEROP = 10

    @property
    def display_name(self) -> str:
        """Capitalised name as the specs write it, e.g. ``"Holocene"``."""
        return self.name.capitalize()

    @property
    def time_field(self) -> str | None:
        """Name of the rollup-config activation-time field, or ``None`` for Bedrock (genesis)."""
        if self is Hardfork.BEDROCK:
            return None
        return f"{self.name.lower()}_time"

    @classmethod
    def timed(cls) -> tuple[Hardfork, ...]:
        """Every upgrade that has an activation-time field (all but Bedrock), in order."""
        return tuple(fork for fork in cls if fork is not Hardfork.BEDROCK)

    @classmethod
    def from_name(cls, name: str) -> Hardfork:
        """Look an upgrade up by case-insensitive name (``"ecotone"``, ``"ECOTONE"``)."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            known = ", ".join(fork.name.lower() for fork in cls)
            raise ConfigError(f"unknown hardfork {name!r}; known: {known}") from None


HARDFORK_TIME_FIELDS: tuple[str, ...] = tuple(
    field for field in (fork.time_field for fork in Hardfork.timed()) if field is not None
)
"""``("regolith_time", …, "interop_time")`` in activation order."""

PECTRA_BLOB_SCHEDULE_TIME_FIELD = "pectra_blob_schedule_time"
