"""Boot information: the program's inputs, read from local pre-image keys.

Spec: fault-proof/index.md "Bootstrapping" (local keys 1-5 shared by every implementation) and
"Prologue". A chain not known to the program reads its rollup configuration from local key 6
(kona numbering, the default) or 7 (op-program numbering); see :mod:`mauna.preimage.keys`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import structlog

from mauna.errors import ConfigError
from mauna.genesis.registry import UnknownChainError, load_chain
from mauna.genesis.rollup_config import RollupConfig
from mauna.preimage.keys import (
    L1_HEAD_KEY,
    L2_CHAIN_ID_KEY,
    L2_CLAIM_BLOCK_NUMBER_KEY,
    L2_CLAIM_KEY,
    L2_OUTPUT_ROOT_KEY,
    L2_ROLLUP_CONFIG_KEY,
    OP_PROGRAM_ROLLUP_CONFIG_KEY,
    local_key,
)
from mauna.preimage.oracle import PreimageOracle
from mauna.proof.errors import BootInfoError

log = structlog.get_logger(__name__)

LocalKeyLayout = Literal["kona", "op-program"]


@dataclass(frozen=True, slots=True)
class BootInfo:
    """What the program is asked to verify, and against which trusted inputs.

    Trusted: ``l1_head``, ``agreed_l2_output_root``, ``chain_id``. Disputed:
    ``claimed_l2_output_root`` at ``claimed_l2_block_number``.
    """

    l1_head: bytes
    agreed_l2_output_root: bytes
    claimed_l2_output_root: bytes
    claimed_l2_block_number: int
    chain_id: int
    rollup_config: RollupConfig

    @classmethod
    def load(
        cls,
        oracle: PreimageOracle,
        *,
        layout: LocalKeyLayout = "kona",
        prefer_oracle_config: bool = False,
    ) -> BootInfo:
        """Read the boot inputs through ``oracle``.

        The rollup config of a chain in the built-in registry comes from the registry, as kona and
        op-program do; other chains read it from the oracle (``layout`` picks the local index).
        ``prefer_oracle_config`` reads it from the oracle even for a known chain id.
        """
        l1_head = _exact(oracle, L1_HEAD_KEY, 32, "L1 head")
        agreed = _exact(oracle, L2_OUTPUT_ROOT_KEY, 32, "agreed L2 output root")
        claimed = _exact(oracle, L2_CLAIM_KEY, 32, "claimed L2 output root")
        number = int.from_bytes(
            _exact(oracle, L2_CLAIM_BLOCK_NUMBER_KEY, 8, "claimed L2 block number"), "big"
        )
        chain_id = int.from_bytes(_exact(oracle, L2_CHAIN_ID_KEY, 8, "L2 chain id"), "big")
        config: RollupConfig | None = None
        if not prefer_oracle_config:
            try:
                config = load_chain(chain_id).rollup_config
            except (UnknownChainError, ConfigError):
                config = None
        if config is None:
            index = L2_ROLLUP_CONFIG_KEY if layout == "kona" else OP_PROGRAM_ROLLUP_CONFIG_KEY
            log.warning("rollup config read from the oracle", chain_id=chain_id, local_index=index)
            raw = oracle.get(local_key(index))
            try:
                config = RollupConfig.from_json(json.loads(raw))
            except (ValueError, ConfigError) as exc:
                raise BootInfoError(
                    f"rollup config of chain {chain_id} (local key {index}) does not parse: {exc}"
                ) from exc
        if config.l2_chain_id != chain_id:
            raise BootInfoError(
                f"rollup config is for chain {config.l2_chain_id}, the boot inputs name chain {chain_id}"
            )
        info = cls(l1_head, agreed, claimed, number, chain_id, config)
        log.info(
            "boot info loaded",
            l1_head="0x" + l1_head.hex(),
            agreed_output="0x" + agreed.hex(),
            claimed_output="0x" + claimed.hex(),
            claimed_block=number,
            chain_id=chain_id,
        )
        return info


def _exact(oracle: PreimageOracle, index: int, size: int, what: str) -> bytes:
    value = oracle.get(local_key(index))
    if len(value) != size:
        raise BootInfoError(f"boot input {what} (local key {index}): expected {size} bytes, got {len(value)}")
    return value
