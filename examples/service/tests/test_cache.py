"""Cache round-trip tests; they need a Redis on localhost:6379 (db 15)."""
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from aioredis import (
    Redis,
    from_url,
)
from aioredis.exceptions import ConnectionError as RedisConnectionError

from app import cache

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def redis_client(monkeypatch) -> AsyncIterator[Redis]:
    client = from_url("redis://localhost:6379/15", decode_responses=True, socket_timeout=1)
    try:
        await client.ping()
    except RedisConnectionError:
        pytest.skip("no Redis on localhost:6379")
    monkeypatch.setattr(cache, "client", client)
    yield client
    await client.flushdb()
    await client.connection_pool.disconnect()


async def test_round_trip(redis_client: Redis) -> None:
    await cache.put_page(7, "de", {"title": "Fahrrad"})
    assert await cache.get_page(7, "de") == {"title": "Fahrrad"}


async def test_invalidate_only_touches_named_products(redis_client: Redis) -> None:
    await cache.put_page(1, "en", {"title": "Bike"})
    await cache.put_page(2, "en", {"title": "Helmet"})
    assert await cache.invalidate([1]) == 1
    assert await cache.get_page(2, "en") == {"title": "Helmet"}
