"""Read-through cache for rendered product pages (aioredis 2.x API)."""
import json
import os, aioredis

CACHE_URL = os.environ.get("CACHE_URL", "redis://localhost:6379/0")
CACHE_TTL_SECONDS = int(os.environ.get("CACHE_TTL_SECONDS", "300"))

# One client for the whole process; the FastAPI shutdown hook calls close().
client = aioredis.from_url(
    CACHE_URL,
    decode_responses=True,
    socket_timeout=2.0,
    max_connections=50,
)


def _key(product_id: int, locale: str) -> str:
    return f"page:{locale}:{product_id}"


async def get_page(product_id: int, locale: str) -> dict | None:
    raw = await client.get(_key(product_id, locale))
    return json.loads(raw) if raw is not None else None


async def put_page(product_id: int, locale: str, page: dict) -> None:
    await client.set(_key(product_id, locale), json.dumps(page), ex=CACHE_TTL_SECONDS)


async def invalidate(product_ids: list[int]) -> int:
    wanted = {str(pid) for pid in product_ids}
    doomed = [
        key
        async for key in client.scan_iter(match="page:*", count=500)
        if key.rsplit(":", 1)[1] in wanted
    ]
    return await client.delete(*doomed) if doomed else 0


async def close() -> None:
    await client.close()
