"""Job queue of the old worker, aioredis 1.3 API.

The worker builds one pool at start-up (``connect``) and hands it, or a
client made from it, to these helpers.
"""
import aioredis

QUEUE = "jobs"


async def connect(address: str) -> aioredis.ConnectionsPool:
    return await aioredis.create_pool(address, maxsize=4)


class JobQueue(aioredis.Redis):
    """The worker's client: a 1.x ``Redis`` with the queue's own commands."""

    async def push(self, job_id: str, payload: str, priority: float) -> None:
        tr = self.multi_exec()
        tr.set(f"job:{job_id}", payload, expire=3600)
        tr.zadd(QUEUE, priority, job_id)
        await tr.execute()


async def depth(pool: aioredis.ConnectionsPool) -> int:
    with await pool as conn:
        return await conn.execute("ZCARD", QUEUE)


async def next_batch(redis, limit: int) -> list:
    # Nothing says what `redis` is, but this module is aioredis 1.x code.
    return await redis.zrangebyscore(QUEUE, offset=0, count=limit)
