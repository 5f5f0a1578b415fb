"""tests/live/sentinel_1x after `fix --unsafe-fixes`, against a live master and sentinel.

usage: sentinel_scenario.py run   (SENTINEL_PORT names the sentinel, which monitors
       `mymaster`; sentinel_1x is on PYTHONPATH)

Prints `ok: ...` lines the Rust test checks. Every wait is bounded.
"""
import asyncio
import sys

# First: unmigrated, this is the line that fails.
import sentinel_1x

import redis.asyncio


async def run():
    print("client module:", sentinel_1x.aioredis.__name__)
    ok, value, ttl = await asyncio.wait_for(sentinel_1x.master_set_get("mymaster"), 30)
    assert ok is True and value == "value" and 0 < ttl <= 60, (ok, value, ttl)
    print("ok: create_sentinel -> Sentinel, master_for, set(expire=), decoded get")
    print("ok: scenario finished")


if __name__ == "__main__":
    assert sys.argv[1:] == ["run"], sys.argv
    assert isinstance(redis.asyncio.Sentinel, type)
    asyncio.run(run())
