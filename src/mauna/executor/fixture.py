"""kona executor fixtures: a parent header, payload attributes, the expected block hash and a witness.

Formats (tests/fixtures/kona/PROVENANCE.md): ``.json`` / ``.json.gz`` with fields
``rollup_config``, ``parent_header``, ``executing_payload``, ``expected_block_hash`` and
``preimages`` (``{0xkeccak: 0xpreimage}``); and kona's original ``.tar.gz`` — a (possibly
uncompressed) tar of ``fixture.json`` plus ``kv/``, a RocksDB keyed by the raw 32-byte hashes —
which needs the optional ``rocksdict`` package (``pip install mauna[rocksdb]``).
"""

from __future__ import annotations

import gzip
import json
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mauna.errors import DecodeError, MaunaError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.primitives.bytes import from_hex
from mauna.primitives.header import Header


class FixtureError(MaunaError):
    """An executor fixture cannot be read."""


@dataclass(frozen=True, slots=True)
class ExecutorFixture:
    """One block to re-execute statelessly."""

    name: str
    rollup_config: dict[str, Any]
    parent_header: Header
    attributes: OpPayloadAttributes
    expected_block_hash: bytes
    preimages: dict[bytes, bytes]

    @property
    def number(self) -> int:
        return self.parent_header.number + 1


def _from_dict(name: str, data: dict[str, Any], preimages: dict[bytes, bytes] | None) -> ExecutorFixture:
    try:
        if preimages is None:
            preimages = {
                from_hex(k, length=32, what="preimage key"): from_hex(v, what="preimage")
                for k, v in data["preimages"].items()
            }
        return ExecutorFixture(
            name=name,
            rollup_config=data["rollup_config"],
            parent_header=Header.from_rpc(data["parent_header"]),
            attributes=OpPayloadAttributes.from_json(data["executing_payload"]),
            expected_block_hash=from_hex(data["expected_block_hash"], length=32, what="expected_block_hash"),
            preimages=preimages,
        )
    except KeyError as exc:
        raise FixtureError(f"{name}: missing field {exc.args[0]!r}") from exc
    except DecodeError as exc:
        raise FixtureError(f"{name}: {exc}") from exc


def _load_rocksdb_tar(path: Path) -> ExecutorFixture:
    try:
        from rocksdict import AccessType, Options, Rdict
    except ImportError as exc:
        raise FixtureError(
            f"{path.name}: reading kona's RocksDB fixtures needs rocksdict (pip install 'mauna[rocksdb]')"
        ) from exc
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        try:
            with tarfile.open(path) as tar:
                tar.extractall(root, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise FixtureError(f"{path.name}: not a readable tar archive ({exc})") from exc
        for junk in root.rglob("._*"):
            junk.unlink()
        fixture_json = next(root.rglob("fixture.json"), None)
        kv_dir = next((p for p in root.rglob("kv") if p.is_dir()), None)
        if fixture_json is None or kv_dir is None:
            raise FixtureError(f"{path.name}: archive lacks fixture.json or kv/")
        data = json.loads(fixture_json.read_text())
        db = Rdict(str(kv_dir), options=Options(raw_mode=True), access_type=AccessType.read_only())
        try:
            preimages: dict[bytes, bytes] = {}
            for key, value in db.items():
                if not isinstance(key, bytes) or not isinstance(value, bytes):
                    raise FixtureError(f"{path.name}: RocksDB entry is not raw bytes")
                preimages[key] = value
        finally:
            db.close()
    return _from_dict(path.name, data, preimages)


def load_fixture(path: str | Path) -> ExecutorFixture:
    """Read a fixture from ``.json``, ``.json.gz`` or kona's RocksDB ``.tar.gz``."""
    path = Path(path)
    name = path.name
    try:
        if name.endswith(".tar.gz") or name.endswith(".tar"):
            return _load_rocksdb_tar(path)
        if name.endswith(".gz"):
            with gzip.open(path, "rt") as fh:
                data = json.load(fh)
        else:
            with path.open() as fh:
                data = json.load(fh)
    except (OSError, json.JSONDecodeError, EOFError, gzip.BadGzipFile) as exc:
        raise FixtureError(f"{name}: cannot read ({exc})") from exc
    if not isinstance(data, dict):
        raise FixtureError(f"{name}: expected a JSON object")
    return _from_dict(name, data, None)
