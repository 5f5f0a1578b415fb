"""aioredis 1.x code behind a Redis Sentinel, written as aioredis 1.3.1's
examples/getting_started/06_sentinel.py and examples/sentinel.py do, for the
live proof of the `create_sentinel` → `Sentinel` rewrite (tests/live_redis.rs).
The sentinel is used through `master_for`/`slave_for` only, so the module is
rewritten whole. SENTINEL_PORT names the sentinel's port."""
import os

import aioredis

SENTINEL_PORT = int(os.environ.get("SENTINEL_PORT", "26379"))


async def master_set_get(service):
    sentinel = await aioredis.create_sentinel(
        [("127.0.0.1", SENTINEL_PORT)], encoding="utf-8", timeout=2
    )
    master = sentinel.master_for(service)
    ok = await master.set("sentinel:key", "value", expire=60)
    value = await master.get("sentinel:key", encoding="utf-8")
    ttl = await master.ttl("sentinel:key")
    master.close()
    await master.wait_closed()
    return ok, value, ttl

