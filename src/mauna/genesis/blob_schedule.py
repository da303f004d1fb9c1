"""The L1 blob base fee as the L1-info deposit reports it.

Spec: protocol/ecotone/l1-attributes.md (the L1 block's ``blobBaseFee`` goes into the L1 attributes
deposit), protocol/pectra-blob-schedule/derivation.md (which update fraction applies), EIP-4844
(``fake_exponential``, Cancun update fraction 3338477), EIP-7691 (Prague fraction 5007716) and
EIP-7892 (blob-parameter-only forks BPO1 = 8346193, BPO2 = 11684671).

How the fraction for an L1 block is chosen (:func:`l1_info_blob_base_fee_update_fraction`):

1. The L1 chain's own schedule decides, by the L1 block's timestamp: BPO2, BPO1, Osaka (same
   fraction as Prague), Prague, Cancun, in that precedence (pre-Cancun blocks have no blob base fee;
   the L1-info deposit then carries 1).
2. The optional Pectra blob schedule fork overrides one case only: when the L1 schedule says
   *Prague* (not Osaka or a BPO fork) and the rollup config sets ``pectra_blob_schedule_time``, L1
   blocks with a timestamp before that time keep the Cancun fraction. The switch is keyed by the L1
   origin timestamp so every L2 block of an epoch reports the same L1 info. Without the field, the
   L1's Prague fraction applies from the first Prague block (the default).

This is how kona (``L1BlockInfoTx::try_new``) and op-node (L1 block info from the L1 chain config)
pick it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from mauna.errors import ConfigError

if TYPE_CHECKING:
    from mauna.genesis.rollup_config import RollupConfig

BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN = 3_338_477
BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5_007_716
BLOB_BASE_FEE_UPDATE_FRACTION_BPO1 = 8_346_193
BLOB_BASE_FEE_UPDATE_FRACTION_BPO2 = 11_684_671
MIN_BASE_FEE_PER_BLOB_GAS = 1
"""EIP-4844 ``MIN_BASE_FEE_PER_BLOB_GAS``; also what the L1-info deposit carries pre-Cancun."""


def fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """EIP-4844 ``fake_exponential``: integer approximation of ``factor * e**(numerator/denominator)``."""
    if denominator <= 0:
        raise ConfigError(f"fake_exponential: denominator must be positive, got {denominator}")
    if numerator < 0 or factor < 0:
        raise ConfigError(f"fake_exponential: negative input (factor {factor}, numerator {numerator})")
    i = 1
    output = 0
    numerator_accum = factor * denominator
    while numerator_accum > 0:
        output += numerator_accum
        numerator_accum = (numerator_accum * numerator) // (denominator * i)
        i += 1
    return output // denominator


def calc_blob_base_fee(
    excess_blob_gas: int, update_fraction: int = BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
) -> int:
    """Blob base fee of a block with ``excess_blob_gas`` under the given update fraction."""
    return fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS, excess_blob_gas, update_fraction)


@dataclass(frozen=True, slots=True)
class BlobScheduleEntry:
    """From ``time`` on (L1 block timestamp), the L1 uses ``update_fraction``."""

    fork: str
    time: int
    update_fraction: int


@dataclass(frozen=True, slots=True)
class L1BlobSchedule:
    """An L1 chain's blob base fee update fractions over time (ascending ``entries``)."""

    chain_id: int
    name: str
    entries: tuple[BlobScheduleEntry, ...]

    def __post_init__(self) -> None:
        times = [entry.time for entry in self.entries]
        if times != sorted(times):
            raise ConfigError(f"L1 blob schedule of chain {self.chain_id}: entries not in time order")

    def active_entry(self, timestamp: int) -> BlobScheduleEntry | None:
        """The latest entry active at ``timestamp``, or ``None`` before Cancun."""
        active: BlobScheduleEntry | None = None
        for entry in self.entries:
            if timestamp >= entry.time:
                active = entry
        return active

    def update_fraction_at(self, timestamp: int) -> int | None:
        """The L1's own blob base fee update fraction at ``timestamp`` (``None`` before Cancun)."""
        entry = self.active_entry(timestamp)
        return None if entry is None else entry.update_fraction

    @classmethod
    def from_geth_chain_config(cls, config: Mapping[str, Any], name: str = "custom") -> L1BlobSchedule:
        """Build a schedule from a geth ``genesis.json`` ``config`` object.

        Reads ``cancunTime``, ``pragueTime``, ``osakaTime``, ``bpo1Time`` … ``bpo5Time`` and the
        ``blobSchedule`` map's ``baseFeeUpdateFraction`` per fork (standard fractions when absent).
        """
        defaults = {
            "cancun": BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
            "prague": BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
            "osaka": BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
            "bpo1": BLOB_BASE_FEE_UPDATE_FRACTION_BPO1,
            "bpo2": BLOB_BASE_FEE_UPDATE_FRACTION_BPO2,
        }
        if not isinstance(config, Mapping):
            raise ConfigError("L1 chain config: expected a JSON object")
        schedule = config.get("blobSchedule")
        schedule = {} if schedule is None else schedule
        if not isinstance(schedule, Mapping):
            raise ConfigError("L1 chain config: blobSchedule must be an object")
        chain_id = config.get("chainId", 0)
        if not isinstance(chain_id, int):
            raise ConfigError(f"L1 chain config: chainId must be an integer, got {chain_id!r}")
        entries: list[BlobScheduleEntry] = []
        for fork in ("cancun", "prague", "osaka", "bpo1", "bpo2", "bpo3", "bpo4", "bpo5"):
            time = config.get(f"{fork}Time")
            if time is None:
                continue
            if not isinstance(time, int) or isinstance(time, bool) or time < 0:
                raise ConfigError(f"L1 chain config: {fork}Time must be a non-negative integer")
            params = schedule.get(fork)
            params = {} if params is None else params
            if not isinstance(params, Mapping):
                raise ConfigError(f"L1 chain config: blobSchedule.{fork} must be an object")
            fraction = params.get("baseFeeUpdateFraction", defaults.get(fork))
            if fraction is None:
                raise ConfigError(f"L1 chain config: blobSchedule.{fork}.baseFeeUpdateFraction missing")
            if not isinstance(fraction, int) or isinstance(fraction, bool) or fraction <= 0:
                raise ConfigError(f"L1 chain config: blobSchedule.{fork}.baseFeeUpdateFraction invalid")
            entries.append(BlobScheduleEntry(fork, time, fraction))
        entries.sort(key=lambda entry: entry.time)
        return cls(chain_id, name, tuple(entries))


def _standard(
    chain_id: int, name: str, cancun: int, prague: int, osaka: int, bpo1: int, bpo2: int
) -> L1BlobSchedule:
    return L1BlobSchedule(
        chain_id,
        name,
        (
            BlobScheduleEntry("cancun", cancun, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN),
            BlobScheduleEntry("prague", prague, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE),
            BlobScheduleEntry("osaka", osaka, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE),
            BlobScheduleEntry("bpo1", bpo1, BLOB_BASE_FEE_UPDATE_FRACTION_BPO1),
            BlobScheduleEntry("bpo2", bpo2, BLOB_BASE_FEE_UPDATE_FRACTION_BPO2),
        ),
    )


L1_BLOB_SCHEDULES: Mapping[int, L1BlobSchedule] = MappingProxyType(
    {
        1: _standard(1, "mainnet", 1_710_338_135, 1_746_612_311, 1_764_798_551, 1_765_290_071, 1_767_747_671),
        11155111: _standard(
            11155111, "sepolia", 1_706_655_072, 1_741_159_776, 1_760_427_360, 1_761_017_184, 1_761_607_008
        ),
        17000: _standard(
            17000, "holesky", 1_707_305_664, 1_740_434_112, 1_759_308_480, 1_759_800_000, 1_760_389_824
        ),
        560048: _standard(560048, "hoodi", 0, 1_742_999_832, 1_761_677_592, 1_762_365_720, 1_762_955_544),
    }
)
"""Blob schedules of the public L1 chains OP Stack chains settle on, by L1 chain id."""


def l1_blob_schedule(l1_chain_id: int) -> L1BlobSchedule:
    """The bundled blob schedule of a public L1 chain; :class:`ConfigError` for unknown chains."""
    try:
        return L1_BLOB_SCHEDULES[l1_chain_id]
    except KeyError:
        known = ", ".join(f"{s.name} ({cid})" for cid, s in L1_BLOB_SCHEDULES.items())
        raise ConfigError(
            f"no blob schedule for L1 chain {l1_chain_id}; known: {known} "
            "(pass an L1BlobSchedule, e.g. L1BlobSchedule.from_geth_chain_config)"
        ) from None


def l1_info_blob_base_fee_update_fraction(
    rollup_config: RollupConfig, l1_timestamp: int, schedule: L1BlobSchedule | None = None
) -> int:
    """Update fraction for the blob base fee an L1-info deposit reports for an L1 origin block.

    ``l1_timestamp`` is the L1 origin block's timestamp; ``schedule`` defaults to the bundled one
    of ``rollup_config.l1_chain_id``. Pre-Cancun L1 blocks get the Cancun fraction (such blocks have
    no ``excess_blob_gas``; see :func:`l1_info_blob_base_fee`).
    """
    if schedule is None:
        schedule = l1_blob_schedule(rollup_config.l1_chain_id)
    entry = schedule.active_entry(l1_timestamp)
    if entry is None:
        return BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    if (
        entry.fork == "prague"
        and rollup_config.pectra_blob_schedule_time is not None
        and not rollup_config.is_pectra_blob_schedule_active(l1_timestamp)
    ):
        return BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    return entry.update_fraction


def l1_info_blob_base_fee(
    rollup_config: RollupConfig,
    l1_timestamp: int,
    excess_blob_gas: int | None,
    schedule: L1BlobSchedule | None = None,
) -> int:
    """The ``blobBaseFee`` an L1-info deposit carries for an L1 origin block.

    An L1 header without ``excess_blob_gas`` (pre-Cancun) gives 1, as kona and op-node do.
    """
    if excess_blob_gas is None:
        return MIN_BASE_FEE_PER_BLOB_GAS
    fraction = l1_info_blob_base_fee_update_fraction(rollup_config, l1_timestamp, schedule)
    return calc_blob_base_fee(excess_blob_gas, fraction)
