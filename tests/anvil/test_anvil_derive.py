"""The online L1 and beacon providers and the pipeline against a real anvil L1.

The L2 side is simulated in memory (the engine appends the planned block after each derived one);
the derived attributes must equal the planned ones exactly: transactions (L1-info deposit bytes,
user deposits from anvil receipts, batch transactions), timestamps, prev randao, parent beacon
root, gas limit and EIP-1559 parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
import trio

from anvil_util import (
    BATCHER_KEY,
    DEPOSITOR_KEY,
    STRANGER_KEY,
    AnvilChain,
    PlannedChain,
    address_of,
    derive_all,
    iter_frames,
    plan_blocks,
    user_deposit,
)
from mauna.derive.attributes import OpPayloadAttributesWithParent
from mauna.devtools.anvil import Anvil
from mauna.primitives.bytes import to_hex
from mauna.protocol.blobs import encode_blob
from mauna.protocol.deposits import user_deposit_source_hash
from mauna.protocol.l1_info import L1BlockInfoEcotone, decode_l1_info_tx
from mauna.providers import (
    BeaconClient,
    BlobNotFoundError,
    OnlineBlobProvider,
    OnlineL1ChainProvider,
    RetryPolicy,
    RpcClient,
)

FAST = RetryPolicy(retries=1, backoff=0.0)


def run_derivation(
    chain: AnvilChain, planned: PlannedChain, *, seconds_per_slot: int | None = None
) -> tuple[list[OpPayloadAttributesWithParent], OnlineBlobProvider]:
    async def main() -> tuple[list[OpPayloadAttributesWithParent], OnlineBlobProvider]:
        async with (
            RpcClient(chain.anvil.url, retry=FAST) as rpc,
            BeaconClient(chain.anvil.url, retry=FAST) as beacon,
        ):
            l1 = OnlineL1ChainProvider(rpc)
            blob_provider = OnlineBlobProvider(beacon, seconds_per_slot=seconds_per_slot)
            l2 = chain.in_memory_l2()
            pipeline = chain.pipeline(l1, blob_provider, l2)
            derived = await derive_all(chain, pipeline, l2, planned.blocks)
            return derived, blob_provider

    return trio.run(main)


def assert_derived(derived: Sequence[OpPayloadAttributesWithParent], planned: PlannedChain) -> None:
    assert len(derived) == len(planned.attributes)
    for n, (got, want) in enumerate(zip(derived, planned.attributes, strict=True), start=1):
        assert got.attributes == want, f"L2 block #{n}"
        assert got.parent.number == n - 1


@pytest.mark.parametrize("algo", ["zlib", "brotli"])
def test_calldata_batches(anvil: Anvil, algo: str) -> None:
    chain = AnvilChain.create(anvil)
    chain.mine()
    planned = plan_blocks(chain, 8)
    batch_block = chain.mine([chain.batcher_tx(list(iter_frames(planned.batches, 1, algo)))])
    derived, _ = run_derivation(chain, planned)
    assert_derived(derived, planned)
    assert {d.derived_from.number for d in derived if d.derived_from} == {batch_block.number}
    # The L1-info deposit of block 6 (first of epoch 1) against anvil's own JSON for L1 block #1.
    l1_block = anvil.block(1)
    _, info = decode_l1_info_tx(derived[5].attributes.transactions[0])
    assert isinstance(info, L1BlockInfoEcotone)
    assert (info.number, to_hex(info.hash), info.sequence_number) == (1, l1_block["hash"], 0)
    assert info.time == int(l1_block["timestamp"], 16) and info.base_fee == int(l1_block["baseFeePerGas"], 16)
    assert info.blob_base_fee == 1  # excessBlobGas 0
    assert info.batcher_hash == bytes(12) + address_of(BATCHER_KEY)
    assert (info.base_fee_scalar, info.blob_base_fee_scalar) == (1368, 810949)
    assert [decode_l1_info_tx(d.attributes.transactions[0])[1].sequence_number for d in derived] == [
        1, 2, 3, 4, 5, 0, 1, 2,
    ]  # fmt: skip
    # L2 blocks 1-5 have L1 origin #0, 6-8 #1 (12 s L1 blocks, 2 s L2 blocks).
    assert [a.prev_randao for a in planned.attributes] == [chain.headers[0].mix_hash] * 5 + [
        chain.headers[1].mix_hash
    ] * 3


def test_frames_split_over_two_l1_blocks_and_a_foreign_sender(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    chain.mine()
    planned = plan_blocks(chain, 6)
    frames = list(iter_frames(planned.batches, 7))
    data = b"".join(f.data for f in frames)
    half = len(data) // 2
    from mauna.protocol.frames import Frame

    cid = frames[0].channel_id
    first, second = Frame(cid, 0, data[:half], False), Frame(cid, 1, data[half:], True)
    impostor = chain.call_tx(STRANGER_KEY, chain.config.batch_inbox_address, b"\x00" + second.encode())
    chain.mine([chain.batcher_tx([first]), impostor])
    chain.mine([chain.batcher_tx([second])])
    derived, _ = run_derivation(chain, planned)
    assert_derived(derived, planned)
    assert {d.derived_from.number for d in derived if d.derived_from} == {3}


def test_blob_batches_via_anvil_beacon_route(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    chain.mine()
    planned = plan_blocks(chain, 8)
    # A foreign blob tx first: the batcher's blobs are then blobs 1 and 2 of the block.
    foreign = chain.blob_tx(DEPOSITOR_KEY, b"\x77" * 20, [encode_blob(b"not a batch")])
    groups = [list(iter_frames(planned.batches[:4], 1)), list(iter_frames(planned.batches[4:], 2))]
    tx, _ = chain.blob_batcher_tx(groups)
    batch_block = chain.mine([foreign, tx])
    assert batch_block.blob_gas_used == 3 * 131072

    derived, blobs = run_derivation(chain, planned)
    assert_derived(derived, planned)
    assert blobs.route == "blobs" and blobs.block_id_kind == "slot"
    assert {d.derived_from.number for d in derived if d.derived_from} == {batch_block.number}

    # With a wrong slot length the slot points elsewhere: the provider falls back to the block hash.
    derived, blobs = run_derivation(chain, planned, seconds_per_slot=5)
    assert_derived(derived, planned)
    assert blobs.block_id_kind == "hash"


def test_blob_provider_reports_missing_blob(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    header = chain.mine()
    from mauna.derive.providers import IndexedBlobHash

    async def main() -> None:
        async with BeaconClient(anvil.url, retry=FAST) as beacon:
            provider = OnlineBlobProvider(beacon)
            with pytest.raises(BlobNotFoundError, match=f"L1 block #{header.number}"):
                await provider.get_blobs(header.block_info(), [IndexedBlobHash(0, b"\x01" + b"\x00" * 31)])

    trio.run(main)


def test_user_deposits_from_anvil_logs(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    placeholders = [user_deposit(b"\x00" * 32, i, i + 1) for i in range(2)]
    epoch1 = chain.mine([chain.deposit_tx(d) for d in placeholders])
    deposits = tuple(
        replace(d, source_hash=user_deposit_source_hash(epoch1.hash(), i)) for i, d in enumerate(placeholders)
    )
    planned = plan_blocks(chain, 8, {epoch1.number: deposits})
    chain.mine([chain.batcher_tx(list(iter_frames(planned.batches, 3)))])
    derived, _ = run_derivation(chain, planned)
    assert_derived(derived, planned)
    first_of_epoch1 = derived[5].attributes
    assert first_of_epoch1.transactions[1:3] == tuple(d.encode() for d in deposits)
    assert all(len(d.attributes.transactions) == 2 for i, d in enumerate(derived) if i != 5)
