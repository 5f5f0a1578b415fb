"""aiotasks 1.0.0 (aioredis 1.x): a task delayed through the Redis backend runs."""
import asyncio
import os

from aiotasks import build_manager

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
manager = build_manager(dsn=os.environ["REDIS_URL"], loop=loop)
results = []


@manager.task()
async def add(a, b):
    results.append(a + b)


async def main():
    manager.run()
    await add.delay(2, 3)
    await manager.wait(5)
    manager.stop()


loop.run_until_complete(asyncio.wait_for(main(), 20))
assert results == [5], results
print("ok: task ran, result", results[0])
