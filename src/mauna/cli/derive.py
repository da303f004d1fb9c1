"""``mauna derive``: run the derivation pipeline online and check it against the canonical L2 chain.

Starting from the canonical L2 block N (read from the L2 RPC), the pipeline reads L1 (JSON-RPC)
and blobs (beacon API) and derives the payload attributes of blocks N+1 … N+K. Each attributes set
is printed as one JSON line together with a comparison against the canonical L2 block of the same
number: transactions, timestamp, gas limit, fee recipient, prev randao, parent beacon root,
parent hash and the EIP-1559 parameters in ``extraData`` (Holocene, Jovian). The canonical block
then becomes the next parent.

Exit codes: 0 every block matched; 1 a block differs (reported field by field on stderr, the run
stops there); 3 the L1 node has no data for the next block yet; 2 (via ``mauna``'s entry point) any
other error: unreachable endpoints after the retries, malformed responses, bad configs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import click
import structlog

from mauna.derive.attributes import OpPayloadAttributesWithParent
from mauna.derive.pipeline import PipelineBuilder
from mauna.derive.providers import L2Block
from mauna.derive.signals import Signal
from mauna.errors import ConfigError, ProtocolError
from mauna.genesis.blob_schedule import L1BlobSchedule
from mauna.genesis.registry import load_chain, load_rollup_config
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.bytes import hex_to_int, to_hex
from mauna.protocol.l1_info import decode_l1_info_tx
from mauna.providers import (
    BeaconClient,
    OnlineBlobProvider,
    OnlineL1ChainProvider,
    OnlineL2ChainProvider,
    RetryPolicy,
    RpcClient,
)

log = structlog.get_logger(__name__)

EXIT_MISMATCH = 1
EXIT_STALLED = 3


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    derived: Any
    canonical: Any


def expected_extra_data(rollup_config: RollupConfig, derived: OpPayloadAttributesWithParent) -> bytes | None:
    """The ``extraData`` an engine writes for these attributes (``None`` before Holocene: not checked).

    Holocene: ``0x00 ‖ denominator ‖ elasticity`` where zero parameters mean the chain's post-Canyon
    defaults; Jovian: ``0x01 ‖ denominator ‖ elasticity ‖ minBaseFee`` (protocol/holocene and
    protocol/jovian exec-engine.md).
    """
    attrs = derived.attributes
    if attrs.eip1559_params is None:
        return None
    params = attrs.eip1559_params
    if params == b"\x00" * 8:
        defaults = rollup_config.base_fee_params(attrs.timestamp)
        params = defaults.max_change_denominator.to_bytes(4, "big") + defaults.elasticity_multiplier.to_bytes(
            4, "big"
        )
    if rollup_config.is_jovian_active(attrs.timestamp):
        return b"\x01" + params + (attrs.min_base_fee or 0).to_bytes(8, "big")
    return b"\x00" + params


def compare(
    rollup_config: RollupConfig, derived: OpPayloadAttributesWithParent, block: L2Block
) -> list[Mismatch]:
    """The fields in which the derived attributes differ from the canonical block."""
    attrs, header = derived.attributes, block.header
    out: list[Mismatch] = []

    def check(name: str, got: Any, want: Any) -> None:
        if got != want:
            out.append(Mismatch(name, _json_value(got), _json_value(want)))

    check("parent_hash", derived.parent.hash, header.parent_hash)
    check("timestamp", attrs.timestamp, header.timestamp)
    check("gas_limit", attrs.gas_limit, header.gas_limit)
    check("fee_recipient", attrs.suggested_fee_recipient, header.beneficiary)
    check("prev_randao", attrs.prev_randao, header.mix_hash)
    check("parent_beacon_block_root", attrs.parent_beacon_block_root, header.parent_beacon_block_root)
    extra = expected_extra_data(rollup_config, derived)
    if extra is not None:
        check("eip1559_params", extra, header.extra_data)
    if attrs.transactions != block.transactions:
        got, want = attrs.transactions, block.transactions
        index = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want))
        )
        out.append(
            Mismatch(
                "transactions",
                {"count": len(got), "first_difference": index, "tx": _tx_at(got, index)},
                {"count": len(want), "first_difference": index, "tx": _tx_at(want, index)},
            )
        )
    return out


def _tx_at(txs: tuple[bytes, ...], index: int) -> str | None:
    return to_hex(txs[index]) if index < len(txs) else None


def _json_value(value: Any) -> Any:
    return to_hex(value) if isinstance(value, bytes) else value


def attributes_json(
    derived: OpPayloadAttributesWithParent, block: L2Block, mismatches: list[Mismatch]
) -> dict[str, Any]:
    attrs = derived.attributes
    origin: dict[str, Any] | None
    try:
        _, info = decode_l1_info_tx(attrs.transactions[0])
        origin = {"number": info.number, "hash": to_hex(info.hash)}
    except (IndexError, ProtocolError):  # the comparison reports bad transactions; the line still prints
        origin = None
    out: dict[str, Any] = {
        "l2_block": derived.parent.number + 1,
        "parent_hash": to_hex(derived.parent.hash),
        "canonical_hash": to_hex(block.header.hash()),
        "l1_origin": origin,
        "derived_from": None
        if derived.derived_from is None
        else {"number": derived.derived_from.number, "hash": to_hex(derived.derived_from.hash)},
        "timestamp": attrs.timestamp,
        "gas_limit": attrs.gas_limit,
        "fee_recipient": to_hex(attrs.suggested_fee_recipient),
        "prev_randao": to_hex(attrs.prev_randao),
        "parent_beacon_block_root": None
        if attrs.parent_beacon_block_root is None
        else to_hex(attrs.parent_beacon_block_root),
        "eip1559_params": None if attrs.eip1559_params is None else to_hex(attrs.eip1559_params),
        "min_base_fee": attrs.min_base_fee,
        "no_tx_pool": attrs.no_tx_pool,
        "transactions": [to_hex(tx) for tx in attrs.transactions],
        "match": not mismatches,
    }
    if mismatches:
        out["mismatches"] = [
            {"field": m.field, "derived": m.derived, "canonical": m.canonical} for m in mismatches
        ]
    return out


def _rollup_config(chain: str | None, rollup_config: Path | None) -> RollupConfig:
    if (chain is None) == (rollup_config is None):
        raise click.UsageError("give exactly one of --chain and --rollup-config")
    if rollup_config is not None:
        return load_rollup_config(rollup_config)
    assert chain is not None
    return load_chain(chain).rollup_config


def _blob_schedule(path: Path | None) -> L1BlobSchedule | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the L1 chain config: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    return L1BlobSchedule.from_geth_chain_config(data, name=path.stem)


async def run_derive(
    *,
    l1_eth_rpc: str,
    l1_beacon: str,
    l2_provider_rpc: str,
    rollup_config: RollupConfig,
    blob_schedule: L1BlobSchedule | None,
    start: int,
    count: int,
    retry: RetryPolicy,
) -> int:
    async with (
        RpcClient(l1_eth_rpc, retry=retry) as l1_rpc,
        RpcClient(l2_provider_rpc, retry=retry) as l2_rpc,
        BeaconClient(l1_beacon, retry=retry) as beacon,
    ):
        chain_id = hex_to_int(await l1_rpc.call("eth_chainId"), what="eth_chainId")
        if chain_id != rollup_config.l1_chain_id:
            raise ConfigError(
                f"{l1_eth_rpc} serves L1 chain {chain_id}, "
                f"the rollup config expects {rollup_config.l1_chain_id}"
            )
        l1 = OnlineL1ChainProvider(l1_rpc)
        l2 = OnlineL2ChainProvider(l2_rpc, rollup_config)
        builder = (
            PipelineBuilder(rollup_config)
            .chain_provider(l1)
            .l2_chain_provider(l2)
            .blob_provider(OnlineBlobProvider(beacon))
        )
        if blob_schedule is not None:
            builder = builder.l1_blob_schedule(blob_schedule)
        pipeline = builder.build()
        cursor = await l2.l2_block_info_by_number(start)
        await pipeline.signal(Signal.RESET, cursor)
        for i in range(count):
            number = cursor.number + 1
            derived = await pipeline.run_until_attributes(cursor)
            if derived is None:
                origin = pipeline.origin
                click.echo(
                    f"stalled: no L1 data to derive L2 #{number} (L1 origin "
                    f"#{origin.number if origin else '?'}; the L1 node may not have the next block yet)",
                    err=True,
                )
                return EXIT_STALLED
            canonical = await l2.block_by_number(number)
            mismatches = compare(rollup_config, derived, canonical)
            click.echo(json.dumps(attributes_json(derived, canonical, mismatches)))
            source = derived.derived_from.number if derived.derived_from else "?"
            if mismatches:
                click.echo(f"mismatch at L2 #{number} (derived from L1 #{source}):", err=True)
                for m in mismatches:
                    click.echo(f"  {m.field}: derived {m.derived} != canonical {m.canonical}", err=True)
                return EXIT_MISMATCH
            click.echo(
                f"[{i + 1}/{count}] L2 #{number} ok: {len(derived.attributes.transactions)} txs, "
                f"derived from L1 #{source}",
                err=True,
            )
            cursor = await l2.l2_block_info_by_number(number)
    return 0


@click.command("derive")
@click.option("--l1-eth-rpc", required=True, metavar="URL", help="L1 execution JSON-RPC endpoint.")
@click.option("--l1-beacon", required=True, metavar="URL", help="L1 beacon API endpoint (blobs).")
@click.option(
    "--l2-provider-rpc", required=True, metavar="URL", help="L2 JSON-RPC endpoint (canonical chain)."
)
@click.option("--chain", default=None, help="Bundled chain (name, identifier or chain id).")
@click.option(
    "--rollup-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="rollup.json (op-node or kona flavour) instead of --chain.",
)
@click.option(
    "--l1-chain-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="geth genesis.json (or its config object) of the L1, for its blob schedule "
    "(default: the bundled schedule of the rollup config's L1 chain id).",
)
@click.option(
    "--from-l2-block", "start", type=click.IntRange(min=0), required=True, help="Canonical L2 start block."
)
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True, help="Blocks to derive.")
@click.option(
    "--retries", type=click.IntRange(min=0), default=4, show_default=True, help="Retries per request."
)
def derive_cmd(
    l1_eth_rpc: str,
    l1_beacon: str,
    l2_provider_rpc: str,
    chain: str | None,
    rollup_config: Path | None,
    l1_chain_config: Path | None,
    start: int,
    count: int,
    retries: int,
) -> None:
    """Derive L2 blocks after --from-l2-block from L1 and check each against the canonical L2 chain.

    Prints one JSON line per derived block; exit 1 at the first mismatch (fields on stderr).
    """
    config = _rollup_config(chain, rollup_config)
    schedule = _blob_schedule(l1_chain_config)
    code = anyio.run(
        lambda: run_derive(
            l1_eth_rpc=l1_eth_rpc,
            l1_beacon=l1_beacon,
            l2_provider_rpc=l2_provider_rpc,
            rollup_config=config,
            blob_schedule=schedule,
            start=start,
            count=count,
            retry=RetryPolicy(retries=retries),
        )
    )
    if code:
        raise click.exceptions.Exit(code)


__all__ = ["compare", "derive_cmd", "expected_extra_data", "run_derive"]
