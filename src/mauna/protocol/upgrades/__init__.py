"""Network-upgrade automation transactions ("upgrade deposits") of fork activation blocks.

Spec: the "Network upgrade automation transactions" sections of protocol/ecotone/derivation.md,
protocol/fjord/derivation.md, protocol/isthmus/derivation.md and protocol/jovian/derivation.md.
The first L2 block of a fork carries, after its L1-attributes deposit and user deposits, the
fork's upgrade deposits; when several forks activate in the same block their lists follow each
other in activation order (Ecotone, Fjord, Isthmus, Jovian), as op-node builds them.

Deployment bytecodes ship as package data in ``bytecode/*.hex``.
"""

from __future__ import annotations

from typing import Protocol

from mauna.protocol.upgrades.ecotone import ecotone_upgrade_txs
from mauna.protocol.upgrades.fjord import fjord_upgrade_txs
from mauna.protocol.upgrades.isthmus import isthmus_upgrade_txs
from mauna.protocol.upgrades.jovian import jovian_upgrade_txs


class UpgradeActivations(Protocol):
    """What :func:`upgrade_transactions` needs from a rollup config."""

    def is_first_ecotone_block(self, timestamp: int) -> bool: ...

    def is_first_fjord_block(self, timestamp: int) -> bool: ...

    def is_first_isthmus_block(self, timestamp: int) -> bool: ...

    def is_first_jovian_block(self, timestamp: int) -> bool: ...


def upgrade_transactions(rollup_config: UpgradeActivations, l2_timestamp: int) -> list[bytes]:
    """EIP-2718 encodings (``0x7E ‖ rlp``) of the upgrade deposits of the L2 block at ``l2_timestamp``.

    Empty unless that block is the activation block of Ecotone, Fjord, Isthmus or Jovian.
    """
    txs = []
    if rollup_config.is_first_ecotone_block(l2_timestamp):
        txs.extend(ecotone_upgrade_txs())
    if rollup_config.is_first_fjord_block(l2_timestamp):
        txs.extend(fjord_upgrade_txs())
    if rollup_config.is_first_isthmus_block(l2_timestamp):
        txs.extend(isthmus_upgrade_txs())
    if rollup_config.is_first_jovian_block(l2_timestamp):
        txs.extend(jovian_upgrade_txs())
    return [tx.encode() for tx in txs]


__all__ = [
    "UpgradeActivations",
    "ecotone_upgrade_txs",
    "fjord_upgrade_txs",
    "isthmus_upgrade_txs",
    "jovian_upgrade_txs",
    "upgrade_transactions",
]
