"""aiohttp-cache 2.2.0 (aioredis 1.x): RedisCache stores and reads a value."""
import asyncio
import os
from urllib.parse import urlparse

from aiohttp_cache import RedisCache, RedisConfig

url = urlparse(os.environ["REDIS_URL"])
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
cache = RedisCache(RedisConfig(host=url.hostname, port=url.port))


async def main():
    await cache.set("k", {"a": 1})
    assert await cache.get("k") == {"a": 1}
    print("ok: stored and read back")


loop.run_until_complete(asyncio.wait_for(main(), 10))
