"""Fixed-window rate limiting for the public API (aioredis 2.x API)."""
import logging
import time

from aioredis import Redis
from aioredis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)


class RateLimiter:
    """Allow ``limit`` calls per caller in each ``window``-second window."""

    def __init__(self, client: Redis, limit: int = 100, window: int = 60) -> None:
        self._client = client
        self._limit = limit
        self._window = window

    async def allow(self, caller: str) -> bool:
        bucket = int(time.time()) // self._window
        key = f"rl:{caller}:{bucket}"
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(key).expire(key, self._window * 2).execute()
        except RedisConnectionError:
            # Fail open: a Redis outage must not take the whole API down.
            log.warning("rate limiter unavailable, letting %s through", caller)
            return True
        return count <= self._limit

    async def remaining(self, caller: str) -> int:
        bucket = int(time.time()) // self._window
        used = await self._client.get(f"rl:{caller}:{bucket}")
        return max(self._limit - int(used or 0), 0)
