"""The audit trail: append-only events chained by a keyed hash, a checkpoint journal outside
the database, and their verification."""

from app.services.audit.chain import (
    GENESIS_HASH,
    UnkeyedChainError,
    canonical_content,
    ensure_head,
    event_hash,
    events_for,
    expect_head,
    head_hash_column,
    iter_rows,
    key_unkeyed_chain,
    record,
    record_change,
    unkeyed_hash,
)
from app.services.audit.verify import ChainCheck, verify_chain

__all__ = [
    "GENESIS_HASH",
    "ChainCheck",
    "UnkeyedChainError",
    "canonical_content",
    "ensure_head",
    "event_hash",
    "events_for",
    "expect_head",
    "head_hash_column",
    "iter_rows",
    "key_unkeyed_chain",
    "record",
    "record_change",
    "unkeyed_hash",
    "verify_chain",
]
