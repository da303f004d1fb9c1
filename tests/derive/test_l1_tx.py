"""The L1 transaction decoder used by the data sources: every type, sender recovery, bad input."""

from __future__ import annotations

import contextlib
from pathlib import Path

from coincurve import PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.derive.l1_tx import decode_l1_transaction, recover_sender
from mauna.derive.testing import address_of, blob_tx, dynamic_fee_tx, sign_typed_tx
from mauna.errors import TransactionError
from mauna.primitives.bytes import keccak256
from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.deposits import DepositTx

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
KEY = PrivateKey(keccak256(b"l1 tx test key"))
TO = bytes.fromhex("ff00000000000000000000000000000000000010")
RAW = (KONA / "derive" / "raw_batcher_tx.hex").read_bytes()


def test_real_batcher_tx() -> None:
    tx = decode_l1_transaction(RAW)
    assert tx.tx_type == 2
    assert tx.to == TO
    assert len(tx.data) == 119_823 and tx.data[0] == 0
    assert tx.sender == bytes.fromhex("6887246668a3b87f54deb3b94ba47a6f63f32985")
    assert tx.tx_hash == keccak256(RAW)
    assert tx.blob_versioned_hashes == ()


def _legacy(key: PrivateKey, chain_id: int | None) -> bytes:
    fields: list[object] = [5, 1_000_000_000, 21_000, TO, 0, b"\x00\x01"]
    if chain_id is None:
        digest = keccak256(rlp_encode(fields))
    else:
        digest = keccak256(rlp_encode([*fields, chain_id, 0, 0]))
    sig = key.sign_recoverable(digest, hasher=None)
    y = sig[64]
    v = 27 + y if chain_id is None else 35 + 2 * chain_id + y
    return rlp_encode([*fields, v, int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")])


def test_legacy_unprotected_and_eip155() -> None:
    for chain_id in (None, 1, 11155111):
        tx = decode_l1_transaction(_legacy(KEY, chain_id))
        assert (tx.tx_type, tx.to, tx.data, tx.sender) == (0, TO, b"\x00\x01", address_of(KEY))


def test_access_list_dynamic_fee_blob_and_set_code() -> None:
    t1 = sign_typed_tx(KEY, 1, [1, 0, 1, 21_000, TO, 0, b"\x01", [[TO, [b"\x00" * 32]]]])
    t2 = dynamic_fee_tx(KEY, 1, 0, TO, b"\x02")
    t3 = blob_tx(KEY, 1, 0, TO, [b"\x01" + b"\x22" * 31, b"\x01" + b"\x33" * 31])
    t4 = sign_typed_tx(KEY, 4, [1, 0, 1, 2, 21_000, TO, 0, b"\x04", [], [[1, TO, 0, 0, 1, 1]]])
    decoded = [decode_l1_transaction(t) for t in (t1, t2, t3, t4)]
    assert [d.tx_type for d in decoded] == [1, 2, 3, 4]
    assert [d.data for d in decoded] == [b"\x01", b"\x02", b"", b"\x04"]
    assert all(d.sender == address_of(KEY) and d.to == TO for d in decoded)
    assert decoded[2].blob_versioned_hashes == (b"\x01" + b"\x22" * 31, b"\x01" + b"\x33" * 31)


def test_blob_tx_network_form_with_sidecar() -> None:
    t3 = blob_tx(KEY, 1, 0, TO, [b"\x01" + b"\x22" * 31])
    body = t3[1:]
    from mauna.primitives.rlp_utils import rlp_decode

    wrapped = b"\x03" + rlp_encode([rlp_decode(body), [b"\x00" * 16], [b"\x00" * 48], [b"\x00" * 48]])
    assert decode_l1_transaction(wrapped).sender == address_of(KEY)


def test_deposit_tx_sender_is_from() -> None:
    raw = DepositTx(b"\x00" * 32, b"\x55" * 20, TO, 0, 0, 100_000, False, b"\x00\x01").encode()
    tx = decode_l1_transaction(raw)
    assert (tx.tx_type, tx.sender, tx.to, tx.data) == (0x7E, b"\x55" * 20, TO, b"\x00\x01")


def test_tampered_signature_recovers_another_or_no_sender() -> None:
    raw = bytearray(dynamic_fee_tx(KEY, 1, 0, TO, b"\x02"))
    raw[-40] ^= 1  # inside s
    tx = decode_l1_transaction(bytes(raw))
    assert tx.sender != address_of(KEY)


def test_invalid_signature_values_give_no_sender() -> None:
    digest = keccak256(b"x")
    assert recover_sender(digest, 2, 1, 1) is None
    assert recover_sender(digest, 0, 0, 1) is None
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    assert recover_sender(digest, 0, 1, n // 2 + 1) is None  # high s


def test_rejects_malformed() -> None:
    for raw in (b"", b"\x05\xc0", b"\x02\xc0", b"\x02\x80", b"\xc1\x80", b"\x03" + rlp_encode([b""] * 14)):
        try:
            decode_l1_transaction(raw)
        except TransactionError:
            continue
        raise AssertionError(f"accepted {raw.hex()}")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data: bytes) -> None:
    with contextlib.suppress(TransactionError):
        decode_l1_transaction(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(RAW) - 1), st.integers(min_value=1, max_value=255))
def test_fuzz_mutated_real_tx(position: int, flip: int) -> None:
    data = bytearray(RAW)
    data[position % len(data)] ^= flip
    with contextlib.suppress(TransactionError):
        decode_l1_transaction(bytes(data))
