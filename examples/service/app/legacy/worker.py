"""Entry point of the old worker: ``python -m app.legacy.worker``.

This module never imports aioredis, yet every Redis object in it is an
aioredis 1.x one: the pool comes from ``queue.connect()``.
"""
import asyncio
import os

from .queue import JobQueue, connect, depth


async def main() -> None:
    pool = await connect(os.environ.get("REDIS_ADDRESS", "redis://localhost"))
    print("jobs waiting:", await depth(pool))
    with await pool as conn:
        await conn.execute("PING")
    queue = JobQueue(pool)
    await queue.push("warm-up", "{}", priority=0.0)
    pool.close()
    await pool.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
