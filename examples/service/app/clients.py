"""Clients for the Redis deployments other than the page cache.

Different teams added these over the years, which is why no two look alike.
"""
import os

import redis
import redis.asyncio

# Session store in the EU region.
SESSIONS = redis.asyncio.Redis(
    host="sessions.internal",
    port=6379,
    password="hunter2",
    socket_timeout=5,
)

# Managed TLS cache. Its certificate chain "did not validate" in 2021.
EDGE_CACHE = redis.asyncio.from_url(
    "rediss://:s3cret@cache.internal:6380/0?ssl_cert_reqs=none",
    socket_timeout=5,
)

# Analytics sits behind a load balancer whose certificate names the balancer.
ANALYTICS = redis.asyncio.Redis(
    host="10.0.4.17",
    port=6380,
    ssl=True,
    ssl_check_hostname=False,
    socket_timeout=5,
)

# Feature flags: "never time out, a stale flag is worse than a slow page".
FLAGS = redis.asyncio.Redis(host="flags.internal", socket_timeout=None)

# Report cache, copied from a tutorial.
REPORTS = redis.asyncio.Redis(host="reports.internal", db=3)

# Nightly jobs still run in a sync worker.
JOBS = redis.StrictRedis(host="jobs.internal", socket_timeout=5)


def enqueue_report(report_id: str) -> None:
    JOBS.lpush("jobs:reports", report_id)


async def bump_counter(name: str) -> int:
    # Ported from the sync job in 2023; only the nightly report calls it.
    async with redis.asyncio.Redis("counters.internal", 6379, socket_timeout=5) as r:
        return await r.incr(name)


async def read_flag(name: str) -> str | None:
    # The way to do it: keyword arguments, a timeout, credentials from the
    # environment, and a client that is closed when the block ends.
    async with redis.asyncio.Redis(
        host="flags.internal",
        password=os.environ.get("FLAGS_PASSWORD"),
        socket_timeout=5,
        decode_responses=True,
    ) as r:
        return await r.get(f"flag:{name}")
