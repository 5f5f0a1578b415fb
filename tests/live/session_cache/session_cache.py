"""A session store that degrades to "no session" while Redis is unreachable.

Written for redis-unify's live tests in the aioredis 2.x style: its error
handling reaches the exceptions through `aioredis.exceptions`, which is exactly
what a naive `import redis.asyncio as aioredis` swap breaks (redis.asyncio has
no `exceptions` attribute), and only when Redis actually fails.
"""

import logging

import aioredis

logger = logging.getLogger(__name__)


class SessionStore:
    def __init__(self, url: str, ttl: int = 60):
        self.redis = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.ttl = ttl

    async def load(self, session_id: str):
        try:
            return await self.redis.get(f"session:{session_id}")
        except (aioredis.exceptions.ConnectionError, aioredis.exceptions.TimeoutError) as error:
            logger.warning("session store unavailable: %s", error)
            return None

    async def save(self, session_id: str, data: bytes) -> bool:
        try:
            await self.redis.set(f"session:{session_id}", data, ex=self.ttl)
        except aioredis.exceptions.RedisError as error:
            logger.warning("session not saved: %s", error)
            return False
        return True

    async def close(self):
        await self.redis.close()
