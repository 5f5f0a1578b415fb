"""The old admin page's numbers, aioredis 1.3 API.

Every Redis line here runs on aioredis 1.3 and breaks, or quietly means
something else, on redis.asyncio: a reply of another shape, an argument
1.x converted before sending, a call form redis-py reads differently.
"""
import asyncio
import time

import aioredis

SIZE_SCRIPT = "return redis.call('DBSIZE')"


async def connect(address: str) -> aioredis.Redis:
    return await aioredis.create_redis_pool(address, encoding="utf-8")


async def report(redis: aioredis.Redis) -> dict:
    # `time()` was a float in 1.x; redis-py returns (seconds, microseconds).
    clock_skew = time.time() - await redis.time()
    # `client_list()` entries were named tuples; redis-py returns dicts.
    workers = [entry.name for entry in await redis.client_list()]
    # 1.x sent a float TTL as PEXPIRE in milliseconds; Redis refuses `EXPIRE k 0.5`.
    await redis.expire("admin:report:lock", 0.5)
    # 1.x prefixed lex bounds with `[`; redis-py sends them as they are.
    names = await redis.zrangebylex("admin:names", min=b"a", max=b"m")
    # The second positional argument was 1.x's GET pattern; it is `start` in redis-py.
    newest = await redis.sort("admin:jobs", "job:*->created")
    # redis-py's eval needs `numkeys`, even when it is 0.
    size = await redis.eval(SIZE_SCRIPT)
    # On a redis.asyncio client `watch` is a no-op (WATCH lives on the pipeline).
    await redis.watch("admin:report")
    return {
        "skew": clock_skew,
        "workers": workers,
        "names": names,
        "newest": newest,
        "size": size,
    }


def close_later(redis: aioredis.Redis) -> None:
    # 1.x's close() was synchronous: as a callback it now makes a coroutine nobody awaits.
    asyncio.get_running_loop().call_soon(redis.close)
