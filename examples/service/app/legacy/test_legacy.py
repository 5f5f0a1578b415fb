"""The old worker's tests. `testpaths` in pyproject.toml keeps them out of the
default run since requirements.txt moved to aioredis 2.0, so nobody noticed
that they no longer pass."""
import aioredis
import pytest

from app.legacy import queue


@pytest.fixture
async def redis():
    client = await aioredis.create_redis_pool("redis://localhost")
    yield client
    client.close()
    await client.wait_closed()


async def test_next_batch(redis):
    await redis.zadd(queue.QUEUE, 1.0, "job-1")
    assert await queue.next_batch(redis, 10) == [b"job-1"]
    await redis.delete(queue.QUEUE)


async def test_push_in_a_transaction(redis):
    tr = redis.multi_exec()
    tr.set("job:1", "{}", expire=60)
    await tr.execute()
    assert await redis.get("job:1", encoding="utf-8") == "{}"
