"""Cache invalidation over pub/sub, already migrated to redis.asyncio.

Compare with ``app/legacy/pubsub.py``, which does the same job with the
aioredis 1.3 API. Written for redis>=5.0.1 (``aclose()``), the version
this migration targets (see RU301). Expect no findings in this file.
"""
import json
import logging
import os
from collections.abc import MutableMapping

from redis import asyncio as aioredis

log = logging.getLogger(__name__)

CHANNEL = "cache:invalidate"

_client = aioredis.from_url(
    os.environ.get("EVENTS_URL", "redis://localhost:6379/1"),
    password=os.environ.get("EVENTS_PASSWORD"),
    decode_responses=True,
    socket_timeout=5,
    socket_connect_timeout=2,
)


async def publish_invalidation(keys: list[str]) -> int:
    """Tell every replica to drop ``keys``; returns how many listeners got it."""
    return await _client.publish(CHANNEL, json.dumps(keys))


async def listen(local_cache: MutableMapping[str, object]) -> None:
    # get_message() with its own timeout, not listen(): listen() would give
    # up with TimeoutError after socket_timeout seconds of silence.
    async with _client.pubsub() as pubsub:
        await pubsub.subscribe(CHANNEL)
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
            if message is None:
                continue
            for key in json.loads(message["data"]):
                local_cache.pop(key, None)
            log.debug("dropped %s", message["data"])


async def close() -> None:
    await _client.aclose()
