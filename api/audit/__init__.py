"""The tamper-evident audit trail: `append` one entry per change, staff action, data access or admin
edit; `verify` walks the hash chain. See chain.py for the entry format and docs/audit.md."""

from __future__ import annotations

from .chain import AUDIT_HEAD, AUDIT_LOG, BrokenLink, Verification, append, canonical, entry_hash, verify

__all__ = ["AUDIT_HEAD", "AUDIT_LOG", "BrokenLink", "Verification", "append", "canonical", "entry_hash", "verify"]
