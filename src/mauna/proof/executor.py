"""Block execution for the program: the stateless builder, keeping what each block wrote.

Spec: fault-proof/index.md "Main content": "L2 state consists of the diff of changes in memory,
and any unchanged state nodes accessible through the read-only L2 history view". The stateless
builder (:class:`mauna.executor.StatelessL2Builder`) reads state through a
:class:`~mauna.mpt.TrieProvider`; :class:`NodeKeepingBuilder` additionally flushes the post-state
into its node store once the roots are computed and hands those nodes back, so the next block
reads them from memory instead of asking the host.
"""

from __future__ import annotations

from typing import Any

from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.builder import BlockBuildResult, StatelessL2Builder
from mauna.mpt.db import ProviderDB


class NodeKeepingBuilder(StatelessL2Builder):
    """A :class:`StatelessL2Builder` whose :attr:`written` holds the block's trie nodes and code."""

    written: dict[bytes, bytes]

    def build(self, attributes: OpPayloadAttributes) -> tuple[BlockBuildResult, dict[bytes, bytes]]:
        """Build the block; returns it with every node and bytecode its state now references."""
        self.written = {}
        result = self.build_block(attributes)
        return result, self.written

    def _message_passer_root(self, state: Any, *, required: bool) -> bytes | None:
        # Called once per block, right after the state root is computed: flush the account and
        # storage tries into the provider-backed store and keep its contents.
        root = super()._message_passer_root(state, required=required)
        account_db = state._account_db
        account_db.persist()
        store = getattr(account_db, "_store", None)
        if isinstance(store, ProviderDB):
            self.written = dict(store.overlay)
        return root
