"""Find, start and drive a local anvil L1 for tests of the online providers.

The binary comes from the npm package ``@foundry-rs/anvil-linux-amd64`` pinned at
:data:`ANVIL_VERSION`, installed into ``.tools/node_modules`` (see :data:`INSTALL_COMMAND`);
``MAUNA_ANVIL`` overrides the path. :class:`Anvil` starts it on 127.0.0.1 on a free port, waits for
it by polling ``eth_chainId`` (bounded), and offers the few RPC helpers tests need: mining blocks at
chosen timestamps, sending raw transactions, reading receipts, setting code.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import structlog

from mauna.errors import MaunaError

log = structlog.get_logger(__name__)

ANVIL_VERSION = "1.7.1"
ANVIL_NPM_PACKAGE = "@foundry-rs/anvil-linux-amd64"
INSTALL_COMMAND = f"npm install --no-save --prefix .tools {ANVIL_NPM_PACKAGE}@{ANVIL_VERSION}"
ENV_VAR = "MAUNA_ANVIL"
RELATIVE_PATH = Path(".tools/node_modules") / ANVIL_NPM_PACKAGE / "bin" / "anvil"

DEV_KEYS = (
    bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
    bytes.fromhex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
    bytes.fromhex("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
)
"""Private keys of anvil's first three dev accounts (funded with 10000 ETH)."""


class AnvilError(MaunaError):
    """anvil is missing, failed to start, or rejected a request."""


def project_root() -> Path:
    """The repository root (the directory holding ``pyproject.toml`` above this file)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def find_anvil() -> Path:
    """The anvil binary: ``$MAUNA_ANVIL`` or ``<root>/.tools/…/bin/anvil``; :class:`AnvilError` if absent."""
    override = os.environ.get(ENV_VAR)
    path = Path(override) if override else project_root() / RELATIVE_PATH
    if not path.is_file() or not os.access(path, os.X_OK):
        source = f"${ENV_VAR}" if override else "the project's .tools directory"
        raise AnvilError(
            f"anvil {ANVIL_VERSION} not found at {path} (from {source}); install it with "
            f"`{INSTALL_COMMAND}` in {project_root()}"
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Anvil:
    """A running anvil process (use as a context manager)."""

    def __init__(
        self,
        *,
        hardfork: str = "prague",
        chain_id: int = 900,
        binary: Path | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        self.binary = binary or find_anvil()
        self.hardfork = hardfork
        self.chain_id = chain_id
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._http = httpx.Client(timeout=30.0)
        self._ids = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Anvil:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- process -------------------------------------------------------------------------------
    def start(self) -> None:
        errors = []
        for _ in range(3):
            self.port = free_port()
            try:
                self._spawn()
                return
            except AnvilError as exc:
                errors.append(str(exc))
                self.stop()
        raise AnvilError("anvil did not start: " + " | ".join(errors))

    def _spawn(self) -> None:
        args = [
            str(self.binary),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--hardfork", self.hardfork,
            "--chain-id", str(self.chain_id),
            "--silent",
            *self.extra_args,
        ]  # fmt: skip
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the process lifetime)
        self._process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                chain_id = self._http.post(
                    self.url,
                    json={"jsonrpc": "2.0", "id": 0, "method": "eth_chainId", "params": []},
                    timeout=1.0,
                ).json()["result"]
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            else:
                log.debug("anvil ready", url=self.url, chain_id=chain_id)
                return
            try:
                code = self._process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                code = None
            if code is not None:
                raise AnvilError(f"anvil exited with code {code} on port {self.port}: {self._output()}")
            if time.monotonic() > deadline:
                raise AnvilError(f"anvil not ready after {self.startup_timeout} s on port {self.port}")

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return bytes(self._log.read()[-2000:]).decode("utf-8", "replace")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.stop()
        self._http.close()

    # --- RPC -----------------------------------------------------------------------------------
    def rpc(self, method: str, *params: Any) -> Any:
        """The result of one JSON-RPC call; :class:`AnvilError` on an error answer."""
        self._ids += 1
        body = self._http.post(
            self.url, json={"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)}
        ).json()
        if "error" in body:
            raise AnvilError(f"anvil {method}: {body['error']}")
        return body.get("result")

    def block(self, tag: int | str = "latest", *, full: bool = False) -> dict[str, Any]:
        block = self.rpc("eth_getBlockByNumber", hex(tag) if isinstance(tag, int) else tag, full)
        if block is None:
            raise AnvilError(f"anvil: no block {tag}")
        return dict(block)

    def set_automine(self, enabled: bool) -> None:
        self.rpc("evm_setAutomine", enabled)

    def mine(self, timestamp: int | None = None) -> dict[str, Any]:
        """Mine one block (with the pending transactions), at ``timestamp`` if given."""
        if timestamp is not None:
            self.rpc("evm_setNextBlockTimestamp", hex(timestamp))
        self.rpc("evm_mine")
        return self.block("latest", full=True)

    def send_raw(self, tx: bytes) -> str:
        return str(self.rpc("eth_sendRawTransaction", "0x" + tx.hex()))

    def receipt(self, tx_hash: str, *, timeout: float = 10.0) -> dict[str, Any]:
        """The receipt of ``tx_hash``, polling until it is mined (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.rpc("eth_getTransactionReceipt", tx_hash)
            if receipt is not None:
                return dict(receipt)
            if time.monotonic() > deadline:
                raise AnvilError(f"anvil: transaction {tx_hash} not mined within {timeout} s")
            if self._process is not None:
                try:
                    self._process.wait(timeout=0.02)
                except subprocess.TimeoutExpired:
                    continue
                raise AnvilError(f"anvil exited while waiting for {tx_hash}: {self._output()}")

    def nonce(self, address: bytes) -> int:
        return int(self.rpc("eth_getTransactionCount", "0x" + address.hex(), "pending"), 16)

    def set_code(self, address: bytes, code: bytes) -> None:
        self.rpc("anvil_setCode", "0x" + address.hex(), "0x" + code.hex())


__all__ = [
    "ANVIL_VERSION",
    "DEV_KEYS",
    "INSTALL_COMMAND",
    "Anvil",
    "AnvilError",
    "find_anvil",
    "free_port",
    "project_root",
]
