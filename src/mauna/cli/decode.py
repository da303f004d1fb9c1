"""``mauna decode …`` and ``mauna encode …``: JSON views of the OP Stack wire formats.

Like op-node's batch decoder, but for people: every command reads ``HEX`` or ``@FILE`` (hex text
or raw binary) and prints JSON with the spec's snake_case names, integers as numbers and bytes as
``0x``-hex. Malformed input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
from typing import Any

import click

from mauna.cli.inputs import dump_json, read_bytes_arg
from mauna.derive.l1_tx import decode_l1_transaction
from mauna.errors import DecodeError, L1InfoError, ProtocolError
from mauna.genesis import RollupConfig, load_chain
from mauna.primitives.bytes import keccak256, to_hex
from mauna.protocol.batch import RawSpanBatch, SingleBatch, decode_batch
from mauna.protocol.channel import read_channel_detailed
from mauna.protocol.compression import MAX_RLP_BYTES_PER_CHANNEL_FJORD
from mauna.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx
from mauna.protocol.frames import DERIVATION_VERSION_0, parse_frames
from mauna.protocol.l1_info import decode_l1_info, decode_l1_info_tx, l1_info_deposit_tx, l1_info_from_json

_CHAIN_HELP = "Chain (name or id) whose genesis time, block time and chain id expand span batches."


# --- JSON views -------------------------------------------------------------------------------
def tx_summary(raw: bytes, *, full: bool) -> dict[str, Any]:
    """Type, hash and size of an EIP-2718 transaction (and its bytes with ``full``)."""
    tx_type = raw[0] if raw and raw[0] < 0x7F else 0
    out: dict[str, Any] = {"type": tx_type, "hash": to_hex(keccak256(raw)), "size": len(raw)}
    if full:
        out["raw"] = to_hex(raw)
    return out


def single_batch_json(batch: SingleBatch, *, full: bool) -> dict[str, Any]:
    return {
        "batch_type": "single",
        "parent_hash": to_hex(batch.parent_hash),
        "epoch_num": batch.epoch_num,
        "epoch_hash": to_hex(batch.epoch_hash),
        "timestamp": batch.timestamp,
        "transactions": [tx_summary(tx, full=full) for tx in batch.transactions],
    }


def span_batch_json(batch: RawSpanBatch, config: RollupConfig | None, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "batch_type": "span",
        "rel_timestamp": batch.rel_timestamp,
        "l1_origin_num": batch.l1_origin_num,
        "parent_check": to_hex(batch.parent_check),
        "l1_origin_check": to_hex(batch.l1_origin_check),
        "block_count": batch.block_count,
        "block_tx_counts": list(batch.block_tx_counts),
        "tx_count": sum(batch.block_tx_counts),
    }
    epochs = batch.block_epoch_nums()
    if config is None:
        out["blocks"] = [
            {"epoch_num": epoch, "tx_count": count}
            for epoch, count in zip(epochs, batch.block_tx_counts, strict=True)
        ]
        return out
    span = batch.derive(config.block_time, config.genesis.l2_time, config.l2_chain_id)
    out["blocks"] = [
        {
            "number": config.genesis.l2.number + (el.timestamp - config.genesis.l2_time) // config.block_time,
            "timestamp": el.timestamp,
            "epoch_num": el.epoch_num,
            "transactions": [tx_summary(tx, full=full) for tx in el.transactions],
        }
        for el in span.batches
    ]
    return out


def batch_json(data: bytes, config: RollupConfig | None, *, full: bool) -> dict[str, Any]:
    batch = decode_batch(data)
    if isinstance(batch, SingleBatch):
        return single_batch_json(batch, full=full)
    return span_batch_json(batch, config, full=full)


def deposit_json(tx: DepositTx) -> dict[str, Any]:
    return {
        "tx_hash": to_hex(tx.tx_hash()),
        "source_hash": to_hex(tx.source_hash),
        "from": to_hex(tx.from_),
        "to": None if tx.to is None else to_hex(tx.to),
        "mint": tx.mint,
        "value": tx.value,
        "gas": tx.gas,
        "is_system_tx": tx.is_system_tx,
        "data": to_hex(tx.data),
    }


def batcher_calldata(data: bytes) -> bytes:
    """Frames' calldata from either the calldata itself (version byte 0) or a whole batcher tx."""
    if data[:1] == bytes([DERIVATION_VERSION_0]):
        return data
    try:
        return decode_l1_transaction(data).data
    except ProtocolError as exc:
        raise DecodeError(
            f"input is neither batcher calldata (version byte 0) nor a transaction: {exc}"
        ) from exc


def _config(chain: str | None) -> RollupConfig | None:
    return None if chain is None else load_chain(chain).rollup_config


# --- commands ---------------------------------------------------------------------------------
@click.group("decode")
def decode_group() -> None:
    """Decode OP Stack wire data (HEX or @FILE) to JSON on stdout."""


@decode_group.command("frames")
@click.argument("data")
@click.option("--full", is_flag=True, help="Include each frame's data.")
def decode_frames_cmd(data: str, full: bool) -> None:
    """Frames of a batcher transaction: its calldata or the whole signed transaction."""
    frames = parse_frames(batcher_calldata(read_bytes_arg(data)))
    out = []
    for frame in frames:
        item: dict[str, Any] = {
            "channel_id": to_hex(frame.channel_id),
            "frame_number": frame.number,
            "data_length": len(frame.data),
            "is_last": frame.is_last,
        }
        if full:
            item["data"] = to_hex(frame.data)
        out.append(item)
    click.echo(dump_json({"frame_count": len(out), "frames": out}))


@decode_group.command("channel")
@click.argument("data")
@click.option("--chain", default=None, help=_CHAIN_HELP)
@click.option("--full", is_flag=True, help="Include raw transaction bytes.")
def decode_channel_cmd(data: str, chain: str | None, full: bool) -> None:
    """Decompress channel data (zlib or brotli) and list the batches it carries."""
    config = _config(chain)
    read = read_channel_detailed(read_bytes_arg(data), MAX_RLP_BYTES_PER_CHANNEL_FJORD, fjord=True)
    batches = [batch_json(item, config, full=full) for item in read.batches]
    click.echo(
        dump_json(
            {
                "compression": read.algo.name.lower(),
                "batch_count": len(batches),
                "stop_reason": read.stop_reason,
                "batches": batches,
            }
        )
    )


@decode_group.command("batch")
@click.argument("data")
@click.option("--chain", default=None, help=_CHAIN_HELP)
@click.option("--full", is_flag=True, help="Include raw transaction bytes.")
def decode_batch_cmd(data: str, chain: str | None, full: bool) -> None:
    """A singular or span batch (batch type byte followed by its payload)."""
    click.echo(dump_json(batch_json(read_bytes_arg(data), _config(chain), full=full)))


@decode_group.command("deposit-tx")
@click.argument("data")
def decode_deposit_cmd(data: str) -> None:
    """A deposited transaction (0x7E envelope)."""
    click.echo(dump_json(deposit_json(DepositTx.decode(read_bytes_arg(data)))))


@decode_group.command("l1-info")
@click.argument("data")
def decode_l1_info_cmd(data: str) -> None:
    """L1-info calldata of any fork, or the whole L1-info deposit transaction."""
    raw = read_bytes_arg(data)
    if raw[:1] == bytes([DEPOSIT_TX_TYPE]):
        tx, info = decode_l1_info_tx(raw)
        source_hash = tx.source_hash
    else:
        info = decode_l1_info(raw)
        source_hash = l1_info_deposit_tx(info, regolith=True).source_hash
    out = info.to_json()
    out["source_hash"] = to_hex(source_hash)
    click.echo(dump_json(out))


@click.group("encode")
def encode_group() -> None:
    """Encode OP Stack wire data from JSON."""


@encode_group.command("l1-info")
@click.option(
    "--fork",
    required=True,
    type=click.Choice(["bedrock", "ecotone", "isthmus", "jovian"], case_sensitive=False),
    help="Calldata format (bedrock is also the Canyon/Delta format).",
)
@click.option("--json", "fields_json", required=True, help="Fields as a JSON object (snake_case).")
@click.option("--pre-regolith", is_flag=True, help="Use the pre-Regolith gas and isSystemTx rules.")
def encode_l1_info_cmd(fork: str, fields_json: str, pre_regolith: bool) -> None:
    """Print the full L1-info deposit transaction (0x7E…) built from JSON fields."""
    try:
        fields = json.loads(fields_json)
    except json.JSONDecodeError as exc:
        raise L1InfoError(f"--json: invalid JSON at position {exc.pos}: {exc.msg}") from exc
    if not isinstance(fields, dict):
        raise L1InfoError("--json: expected a JSON object")
    fields.pop("source_hash", None)
    fields["fork"] = fork.lower()
    info = l1_info_from_json(fields)
    click.echo(to_hex(l1_info_deposit_tx(info, regolith=not pre_regolith).encode()))
