"""Helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC now: every DateTime column stores UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)
