"""python-socketio 4.6.1 (aioredis 1.x): AsyncRedisManager publishes, its listener receives."""
import asyncio
import os
import pickle

from socketio.asyncio_redis_manager import AsyncRedisManager


async def main():
    manager = AsyncRedisManager(os.environ["REDIS_URL"])
    listener = asyncio.ensure_future(manager._listen())
    await asyncio.sleep(0.5)
    await asyncio.wait_for(manager._publish({"method": "emit", "event": "x"}), 10)
    message = await asyncio.wait_for(listener, 10)
    assert pickle.loads(message)["event"] == "x", message
    print("ok: published and received")


asyncio.run(main())
