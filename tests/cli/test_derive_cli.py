"""``mauna derive`` end to end: anvil as L1 (calldata and blob batches, a user deposit), a stand-in L2
JSON-RPC serving the canonical L2 chain; every derived block matches, and a tampered canonical block
ends the run with exit 1 naming the field."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from anvil_util import (  # noqa: F401 (fixtures `anvil`, `anvil_node`)
    AnvilChain,
    L2RpcStandIn,
    PlannedChain,
    anvil_fixture,
    anvil_node_fixture,
    iter_frames,
    l2_user_tx,
    plan_blocks,
    tamper,
    user_deposit,
)
from mauna.cli.derive import derive_cmd
from mauna.derive.providers import L2Block
from mauna.devtools.anvil import Anvil
from mauna.mpt.ordered import ordered_trie_root
from mauna.primitives.bytes import to_hex
from mauna.protocol.deposits import user_deposit_source_hash


@dataclass
class Setup:
    chain: AnvilChain
    planned: PlannedChain
    rollup_config: Path
    l1_config: Path

    def blocks(self) -> list[L2Block]:
        return [self.chain.genesis_l2, *self.planned.blocks]


@pytest.fixture
def setup(anvil: Anvil, tmp_path: Path) -> Setup:
    chain = AnvilChain.create(anvil)
    placeholder = user_deposit(b"\x00" * 32, 0, 1)
    epoch1 = chain.mine([chain.deposit_tx(placeholder)])
    deposit = replace(placeholder, source_hash=user_deposit_source_hash(epoch1.hash(), 0))
    planned = plan_blocks(chain, 10, {epoch1.number: (deposit,)})
    # Blocks 1-6 in a blob, 7-10 in calldata, in two later L1 blocks.
    blob_tx, _ = chain.blob_batcher_tx([list(iter_frames(planned.batches[:6], 1))])
    chain.mine([blob_tx])
    chain.mine([chain.batcher_tx(list(iter_frames(planned.batches[6:], 2, "brotli")))])
    rollup_config = tmp_path / "rollup.json"
    rollup_config.write_text(json.dumps(chain.config.to_op_node_json()))
    l1_config = tmp_path / "l1-genesis.json"
    l1_config.write_text(json.dumps({"config": {"chainId": 900, "cancunTime": 0, "pragueTime": 0}}))
    return Setup(chain, planned, rollup_config, l1_config)


def run(setup: Setup, l2_url: str, start: int, count: int) -> Result:
    url = setup.chain.anvil.url
    args = [
        "--l1-eth-rpc", url,
        "--l1-beacon", url,
        "--l2-provider-rpc", l2_url,
        "--rollup-config", str(setup.rollup_config),
        "--l1-chain-config", str(setup.l1_config),
        "--from-l2-block", str(start),
        "--count", str(count),
        "--retries", "1",
    ]  # fmt: skip
    return CliRunner().invoke(derive_cmd, args, catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_derives_and_matches_the_canonical_chain(setup: Setup) -> None:
    with L2RpcStandIn(setup.blocks()) as l2:
        result = run(setup, l2.url, 0, 10)
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert [o["l2_block"] for o in out] == list(range(1, 11))
    assert all(o["match"] is True for o in out)
    for o, attrs, block in zip(out, setup.planned.attributes, setup.planned.blocks, strict=True):
        assert o["transactions"] == [to_hex(tx) for tx in attrs.transactions]
        assert o["timestamp"] == attrs.timestamp
        assert o["canonical_hash"] == to_hex(block.header.hash())
    assert len(out[5]["transactions"]) == 3  # L1-info, the user deposit, the batch's tx (epoch 1 starts)
    assert {o["derived_from"]["number"] for o in out[:6]} == {2}
    assert {o["derived_from"]["number"] for o in out[6:]} == {3}
    assert "[10/10] L2 #10 ok" in result.stderr


def test_starts_mid_chain(setup: Setup) -> None:
    with L2RpcStandIn(setup.blocks()) as l2:
        result = run(setup, l2.url, 7, 2)
    assert result.exit_code == 0, result.output
    assert [o["l2_block"] for o in lines(result)] == [8, 9]


def test_mismatch_is_reported_field_by_field(setup: Setup) -> None:
    blocks = setup.blocks()
    blocks[4] = tamper(blocks[4], mix_hash=b"\x99" * 32, gas_limit=29_000_000)
    with L2RpcStandIn(blocks) as l2:
        result = run(setup, l2.url, 0, 10)
    assert result.exit_code == 1, result.output
    out = lines(result)
    assert [o["match"] for o in out] == [True, True, True, False]
    fields = {m["field"] for m in out[-1]["mismatches"]}
    assert fields == {"prev_randao", "gas_limit"}
    assert "mismatch at L2 #4" in result.stderr
    assert "prev_randao: derived 0x" in result.stderr and "canonical 0x" + "99" * 32 in result.stderr


def test_transaction_mismatch_names_the_index(setup: Setup) -> None:
    blocks = setup.blocks()
    txs = (*blocks[2].transactions, l2_user_tx(99))
    blocks[2] = L2Block(tamper(blocks[2], transactions_root=ordered_trie_root(list(txs))).header, txs)
    with L2RpcStandIn(blocks) as l2:
        result = run(setup, l2.url, 1, 3)
    assert result.exit_code == 1, result.output
    [mismatch] = lines(result)[-1]["mismatches"]
    assert mismatch["field"] == "transactions"
    assert mismatch["derived"]["count"] == 2 and mismatch["canonical"]["count"] == 3
    assert mismatch["canonical"]["first_difference"] == 2
