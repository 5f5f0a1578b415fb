"""Queue statistics for the old admin page, aioredis 1.3 API.

The admin page reads the master that the Sentinels name, so it keeps
working through a failover.
"""
import asyncio

import aioredis

from app.legacy import queue


async def snapshot() -> dict:
    sentinel = await aioredis.create_sentinel([("sentinel", 26379)], timeout=2)
    redis = sentinel.master_for("jobs")
    tr = redis.multi_exec()
    depth = tr.zcard(queue.QUEUE)
    oldest = tr.zrange(queue.QUEUE, 0, 0)
    await tr.execute()
    # 1.x queued commands are futures, resolved by execute().
    depth, oldest = await asyncio.gather(depth, oldest)
    # Fire and forget: a 1.x command runs when it is called.
    redis.incr("stats:views")
    sentinel.close()
    await sentinel.wait_closed()
    return {"depth": depth, "oldest": oldest}


async def drain_depth(address: str) -> int:
    pool = await queue.connect(address)
    with await pool as conn:
        return await conn.execute("ZCARD", queue.QUEUE)
