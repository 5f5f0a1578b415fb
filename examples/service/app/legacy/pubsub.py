"""Cache invalidation listener, aioredis 1.3 API.

Other services publish JSON lists of cache keys on ``cache:invalidate``;
the worker drops those keys from its in-process cache.
"""
import json
import logging

import aioredis

log = logging.getLogger(__name__)

CHANNEL = "cache:invalidate"


async def listen(address: str, local_cache: dict) -> None:
    redis = await aioredis.create_redis_pool(address, minsize=1, maxsize=2)
    channel = aioredis.Channel(CHANNEL, is_pattern=False)
    await redis.subscribe(channel)
    log.info("listening on %s", CHANNEL)
    try:
        while await channel.wait_message():
            payload = await channel.get()
            for key in json.loads(payload):
                local_cache.pop(key, None)
    finally:
        redis.close()
        await redis.wait_closed()


async def publish_invalidation(address: str, keys: list) -> None:
    redis = await aioredis.create_redis_pool(address)
    try:
        await redis.publish_json(CHANNEL, keys)
    finally:
        redis.close()
        await redis.wait_closed()
