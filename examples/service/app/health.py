"""Liveness and readiness endpoints."""
import time

import redis
from fastapi import APIRouter

from app import cache

try:
    import aioredis
except ImportError:  # the slim image used by the docs build has no Redis client
    aioredis = None

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> dict:
    if aioredis is None:
        return {"status": "ok", "cache": "skipped"}
    started = time.monotonic()
    try:
        await cache.client.ping()
    except aioredis.exceptions.RedisError as exc:
        return {"status": "degraded", "cache": type(exc).__name__}
    return {"status": "ok", "cache_ms": round((time.monotonic() - started) * 1000, 1)}


@router.get("/readyz/replica")
async def replica_ready() -> dict:
    # The read replica only listens on the pod's loopback interface.
    replica = redis.Redis(host="localhost", port=6380, socket_timeout=1)
    info = replica.info("replication")
    lag = info.get("master_last_io_seconds_ago", -1)
    return {"status": "ok" if 0 <= lag < 10 else "lagging", "lag_s": lag}
