"""Background housekeeping: forget redelivery claims once Teams can no longer redeliver."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from storage.claims import ActivityClaims

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0
"""How often old claims are purged; each purge is one DELETE on an indexed column."""


async def purge_claims(claims: ActivityClaims, *, every_s: float = PURGE_EVERY_S) -> None:
    """Purge claims older than storage.claims.KEPT_FOR now and then, for as long as the bot runs."""
    while True:
        try:
            removed = await claims.purge(now=datetime.now(UTC))
            if removed:
                logger.info("activity claims purged: %d", removed)
        except Exception:
            # One failed purge (the database away for a moment) must not end the loop; the
            # next one removes the same rows.
            logger.exception("purging old activity claims failed")
        await asyncio.sleep(every_s)
