"""Host pre-image stores: memory, disk (op-program ``file`` layout, atomic writes), local, split."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mauna.preimage import (
    OracleClient,
    OracleServer,
    PreimageKeyError,
    PreimageMismatchError,
    PreimageNotFoundError,
    bidirectional_pipe,
    keccak256_key_for,
    local_key,
    sha256_key_for,
)
from mauna.preimage.keys import (
    L1_CONFIG_KEY,
    L1_HEAD_KEY,
    L2_CHAIN_ID_KEY,
    L2_CLAIM_BLOCK_NUMBER_KEY,
    L2_CLAIM_KEY,
    L2_OUTPUT_ROOT_KEY,
    L2_ROLLUP_CONFIG_KEY,
    OP_PROGRAM_L1_CHAIN_CONFIG_KEY,
    OP_PROGRAM_L2_CHAIN_CONFIG_KEY,
    OP_PROGRAM_ROLLUP_CONFIG_KEY,
)
from mauna.proof.host import (
    DiskKeyValueStore,
    IterableKeyValueStore,
    KeyValueStore,
    KeyValueStoreError,
    LocalKeyValueStore,
    MemoryKeyValueStore,
    SplitKeyValueStore,
    store_fetcher,
    verify_store,
)
from mauna.proof.host import kv as kv_module

HELLO_KEY = keccak256_key_for(b"hello")
HELLO_FILE = "0x028aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8.txt"


def test_memory_store() -> None:
    kv = MemoryKeyValueStore()
    assert isinstance(kv, KeyValueStore) and isinstance(kv, IterableKeyValueStore)
    assert kv.get(HELLO_KEY) is None
    kv.set(HELLO_KEY, b"hello")
    assert kv.get(HELLO_KEY) == b"hello"
    assert kv.get(HELLO_KEY.encode()) == b"hello"
    assert list(kv.iter_keys()) == [HELLO_KEY.encode()]
    assert len(kv) == 1
    with pytest.raises(KeyValueStoreError):
        kv.set(b"\x02" * 31, b"")
    with pytest.raises(KeyValueStoreError):
        kv.set(HELLO_KEY, "hello")  # type: ignore[arg-type]


def test_disk_store_layout(tmp_path: Path) -> None:
    kv = DiskKeyValueStore(tmp_path)
    assert (tmp_path / "kvformat").read_text() == "file"
    kv.set(HELLO_KEY, b"hello")
    # op-program fileKV: "<0x-hex key>.txt" holding the value as hex.
    assert (tmp_path / HELLO_FILE).read_text() == "68656c6c6f"
    assert kv.path_of(HELLO_KEY) == tmp_path / HELLO_FILE
    assert kv.get(HELLO_KEY) == b"hello"
    assert kv.get(local_key(1)) is None
    kv.set(local_key(1), b"")
    assert kv.get(local_key(1)) == b""
    kv.set(HELLO_KEY, b"hello")  # overwrite is idempotent
    assert sorted(kv.iter_keys()) == sorted([HELLO_KEY.encode(), local_key(1).encode()])
    local_file = f"0x{local_key(1).encode().hex()}.txt"
    assert sorted(os.listdir(tmp_path)) == sorted(["kvformat", HELLO_FILE, local_file])

    reopened = DiskKeyValueStore(tmp_path, fsync=False)
    assert reopened.get(HELLO_KEY) == b"hello"


def test_disk_store_reads_op_program_files(tmp_path: Path) -> None:
    (tmp_path / "kvformat").write_text("file")
    (tmp_path / HELLO_FILE).write_text("68656C6C6F")
    assert DiskKeyValueStore(tmp_path).get(HELLO_KEY) == b"hello"


def test_disk_store_rejects_other_formats(tmp_path: Path) -> None:
    (tmp_path / "kvformat").write_text("pebble")
    with pytest.raises(KeyValueStoreError, match="holds format 'pebble'"):
        DiskKeyValueStore(tmp_path)


def test_disk_store_corrupt_file(tmp_path: Path) -> None:
    kv = DiskKeyValueStore(tmp_path)
    (tmp_path / HELLO_FILE).write_text("not hex")
    with pytest.raises(KeyValueStoreError, match="does not hold hex"):
        kv.get(HELLO_KEY)


def test_leftover_temp_file_is_not_a_value(tmp_path: Path) -> None:
    kv = DiskKeyValueStore(tmp_path)
    # What a crash between write and rename leaves behind: a partial temporary file.
    (tmp_path / f".tmp-{HELLO_FILE}.a1b2c3").write_text("6865")
    assert kv.get(HELLO_KEY) is None
    assert list(kv.iter_keys()) == []
    kv.set(HELLO_KEY, b"hello")
    assert kv.get(HELLO_KEY) == b"hello"
    assert list(kv.iter_keys()) == [HELLO_KEY.encode()]


def test_failed_rename_leaves_no_value_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kv = DiskKeyValueStore(tmp_path)
    kv.set(HELLO_KEY, b"hello")

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kv_module.os, "replace", crash)
    key = keccak256_key_for(b"world")
    with pytest.raises(KeyValueStoreError, match="No space left"):
        kv.set(key, b"world")
    monkeypatch.undo()
    assert kv.get(key) is None
    assert kv.get(HELLO_KEY) == b"hello"
    assert sorted(os.listdir(tmp_path)) == sorted(["kvformat", HELLO_FILE])


def test_failed_write_keeps_the_old_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kv = DiskKeyValueStore(tmp_path)
    kv.set(HELLO_KEY, b"hello")
    real_write = os.write

    def short_then_fail(fd: int, data: bytes) -> int:
        if len(data) > 4:
            return real_write(fd, bytes(data)[:4])
        raise OSError(5, "I/O error")

    monkeypatch.setattr(kv_module.os, "write", short_then_fail)
    with pytest.raises(KeyValueStoreError, match="I/O error"):
        kv.set(HELLO_KEY, b"other value")
    monkeypatch.undo()
    assert kv.get(HELLO_KEY) == b"hello"
    assert sorted(os.listdir(tmp_path)) == sorted(["kvformat", HELLO_FILE])


def boot_store(**extra: object) -> LocalKeyValueStore:
    return LocalKeyValueStore.from_boot_info(
        l1_head=b"\x01" * 32,
        agreed_l2_output_root=b"\x02" * 32,
        claimed_l2_output_root=b"\x03" * 32,
        claimed_l2_block_number=0x1234,
        l2_chain_id=10,
        **extra,  # type: ignore[arg-type]
    )


def test_local_store_boot_info() -> None:
    kv = boot_store(rollup_config=b'{"a":1}', l1_config=b'{"b":2}')
    assert kv.get(local_key(L1_HEAD_KEY)) == b"\x01" * 32
    assert kv.get(local_key(L2_OUTPUT_ROOT_KEY)) == b"\x02" * 32
    assert kv.get(local_key(L2_CLAIM_KEY)) == b"\x03" * 32
    assert kv.get(local_key(L2_CLAIM_BLOCK_NUMBER_KEY)) == bytes.fromhex("0000000000001234")
    assert kv.get(local_key(L2_CHAIN_ID_KEY)) == bytes.fromhex("000000000000000a")
    assert kv.get(local_key(L2_ROLLUP_CONFIG_KEY)) == b'{"a":1}'
    assert kv.get(local_key(L1_CONFIG_KEY)) == b'{"b":2}'
    assert kv.get(local_key(8)) is None
    assert kv.get(HELLO_KEY) is None
    assert len(list(kv.iter_keys())) == 7
    with pytest.raises(KeyValueStoreError, match="read-only"):
        kv.set(local_key(1), b"")


def test_local_store_op_program_layout() -> None:
    kv = boot_store(rollup_config=b"r", l2_chain_config=b"g", l1_config=b"l", layout="op-program")
    assert kv.get(local_key(OP_PROGRAM_L2_CHAIN_CONFIG_KEY)) == b"g"
    assert kv.get(local_key(OP_PROGRAM_ROLLUP_CONFIG_KEY)) == b"r"
    assert kv.get(local_key(OP_PROGRAM_L1_CHAIN_CONFIG_KEY)) == b"l"
    with pytest.raises(KeyValueStoreError):
        boot_store(l2_chain_config=b"g")
    with pytest.raises(KeyValueStoreError):
        boot_store(layout="other")
    with pytest.raises(KeyValueStoreError, match="uint64"):
        LocalKeyValueStore.from_boot_info(
            l1_head=b"\x01" * 32,
            agreed_l2_output_root=b"\x02" * 32,
            claimed_l2_output_root=b"\x03" * 32,
            claimed_l2_block_number=-1,
            l2_chain_id=10,
        )


def test_split_store(tmp_path: Path) -> None:
    local = boot_store()
    remote = DiskKeyValueStore(tmp_path)
    kv = SplitKeyValueStore(local, remote)
    kv.set(HELLO_KEY, b"hello")
    assert remote.get(HELLO_KEY) == b"hello"
    assert kv.get(HELLO_KEY) == b"hello"
    assert kv.get(local_key(L2_CHAIN_ID_KEY)) == (10).to_bytes(8, "big")
    with pytest.raises(KeyValueStoreError, match="read-only"):
        kv.set(local_key(1), b"x")
    # A local key written straight into the remote store is shadowed by the boot inputs.
    remote.set(local_key(L1_HEAD_KEY), b"\xee" * 32)
    assert kv.get(local_key(L1_HEAD_KEY)) == b"\x01" * 32
    assert len(list(kv.iter_keys())) == 5 + 1
    assert verify_store(kv) == 6


def test_verify_store(tmp_path: Path) -> None:
    kv = DiskKeyValueStore(tmp_path)
    kv.set(HELLO_KEY, b"hello")
    kv.set(sha256_key_for(b"abc"), b"abc")
    kv.set(local_key(1), b"boot")
    assert verify_store(kv) == 3
    kv.set(keccak256_key_for(b"x"), b"y")
    with pytest.raises(PreimageMismatchError) as info:
        verify_store(kv)
    assert info.value.key == keccak256_key_for(b"x")
    bad = MemoryKeyValueStore()
    bad.set(b"\x09" + bytes(31), b"")
    with pytest.raises(PreimageKeyError):
        verify_store(bad)


def test_store_backs_an_oracle_server(tmp_path: Path) -> None:
    kv = SplitKeyValueStore(boot_store(), DiskKeyValueStore(tmp_path))
    kv.set(HELLO_KEY, b"hello")
    client_end, host_end = bidirectional_pipe()
    try:
        fetch = store_fetcher(kv)
        with pytest.raises(PreimageNotFoundError):
            fetch(keccak256_key_for(b"absent"))
        server = OracleServer(host_end.reader, host_end.writer, fetch)
        client = OracleClient(client_end.reader, client_end.writer)
        # Requests fit in the pipe buffer, so one thread can play both sides in turn.
        os.write(client_end.writer, HELLO_KEY.encode() + local_key(L2_CHAIN_ID_KEY).encode())
        assert server.serve_one() and server.serve_one()
        assert os.read(client_end.reader, 13) == bytes.fromhex("0000000000000005") + b"hello"
        assert os.read(client_end.reader, 16) == bytes.fromhex("0000000000000008") + (10).to_bytes(8, "big")
        assert client is not None
    finally:
        client_end.close()
        host_end.close()
