"""The parts of a rollup config the executor needs: fork times and EIP-1559 parameters.

A derived view of :class:`mauna.genesis.rollup_config.RollupConfig` (or anything with its
``<fork>_time`` attributes and ``chain_op_config``); a raw JSON dict is parsed by
``RollupConfig.from_json`` first, so there is one parser for every config format. OP Stack
upgrades are linearly ordered (protocol/superchain-upgrades.md), so a fork counts as active
whenever a later one is, even if the config leaves the earlier time out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mauna.errors import ConfigError
from mauna.genesis.hardforks import Hardfork
from mauna.genesis.rollup_config import RollupConfig

OpFork = Hardfork
"""OP Stack forks in activation order: the executor's name for :class:`~mauna.genesis.Hardfork`."""

LATEST_EXECUTION_FORK = Hardfork.JOVIAN
"""The newest fork the executor implements; later ones have no place in :attr:`ChainRules.fork_times`."""

_TIMED = tuple(f for f in Hardfork.timed() if f <= LATEST_EXECUTION_FORK)


@dataclass(frozen=True, slots=True)
class ChainRules:
    """Fork activation times (``None``: never) and the chain's EIP-1559 constants."""

    chain_id: int
    fork_times: tuple[int | None, ...]  # indexed by OpFork - 1 (Regolith first)
    eip1559_elasticity: int
    eip1559_denominator: int
    eip1559_denominator_canyon: int

    # -- activation ---------------------------------------------------------------------------
    def fork_at(self, timestamp: int) -> OpFork:
        """The latest fork active at ``timestamp`` (later forks imply earlier ones)."""
        active = OpFork.BEDROCK
        for fork, time in zip(_TIMED, self.fork_times, strict=True):
            if time is not None and time <= timestamp:
                active = fork
        return active

    def is_active(self, fork: OpFork, timestamp: int) -> bool:
        return self.fork_at(timestamp) >= fork

    def is_first_block(self, fork: OpFork, timestamp: int, parent_timestamp: int) -> bool:
        """Whether the block at ``timestamp`` (parent at ``parent_timestamp``) activates ``fork``."""
        return self.is_active(fork, timestamp) and not self.is_active(fork, parent_timestamp)

    def fork_time(self, fork: OpFork) -> int | None:
        return None if fork is OpFork.BEDROCK else self.fork_times[fork - 1]

    # -- EIP-1559 -----------------------------------------------------------------------------
    def base_fee_params(self, timestamp: int) -> tuple[int, int]:
        """``(denominator, elasticity)`` constants at ``timestamp`` (exec-engine.md "1559 Parameters")."""
        if self.is_active(OpFork.CANYON, timestamp):
            return self.eip1559_denominator_canyon, self.eip1559_elasticity
        return self.eip1559_denominator, self.eip1559_elasticity

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_config(cls, config: Any) -> ChainRules:
        """Build from a ``RollupConfig`` (or anything with its attributes) or rollup-config JSON.

        JSON (op-node, kona or older kona form) is parsed by
        :meth:`mauna.genesis.RollupConfig.from_json`; this class only derives the executor's view.
        """
        if isinstance(config, ChainRules):
            return config
        if isinstance(config, Mapping):
            config = RollupConfig.from_json(config)
        try:
            times = tuple(getattr(config, f"{fork.name.lower()}_time", None) for fork in _TIMED)
            op = config.chain_op_config
            return cls(
                chain_id=int(config.l2_chain_id),
                fork_times=times,
                eip1559_elasticity=int(op.eip1559_elasticity),
                eip1559_denominator=int(op.eip1559_denominator),
                eip1559_denominator_canyon=int(op.eip1559_denominator_canyon),
            )
        except AttributeError as exc:
            raise ConfigError(f"rollup config: {type(config).__name__} lacks {exc.name!r}") from exc
