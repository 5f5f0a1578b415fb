"""FastAPI dependencies that hand Redis clients to the route handlers."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import redis.asyncio
from fastapi import Request

from app.ratelimit import RateLimiter

if TYPE_CHECKING:
    from aioredis import Redis

QUOTA_HOST = os.environ.get("QUOTA_REDIS_HOST", "quota.internal")


def get_cache(request: Request) -> "Redis":
    """The process-wide cache client, created in the app's lifespan."""
    return request.app.state.cache


def get_limiter(request: Request) -> RateLimiter:
    return RateLimiter(get_cache(request), limit=int(os.environ.get("RATE_LIMIT", "100")))


async def tenant_quota(tenant_id: int) -> int:
    """Requests left this month for ``tenant_id``; one Redis db per shard."""
    quota = redis.asyncio.Redis(host=QUOTA_HOST, db=tenant_id % 16, socket_timeout=5)
    used = await quota.get(f"quota:{tenant_id}:used")
    limit = await quota.get(f"quota:{tenant_id}:limit")
    return max(int(limit or 0) - int(used or 0), 0)
