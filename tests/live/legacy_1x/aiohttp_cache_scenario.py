"""aiohttp-cache 2.2.0 (aioredis 1.x), after `fix --unsafe-fixes`.

usage: aiohttp_cache_scenario.py run|fault   (REDIS_URL names the server;
       aiohttp_cache is on PYTHONPATH)

run:   an aiohttp app with the package's RedisCache: the first request runs the
       handler, the second is served from Redis (the handler does not run again);
       RedisCache.set/get/has/delete/clear work on the server.
fault: the server shuts down; a cached request then fails with redis-py's
       ConnectionError (not an AttributeError from a 1.x call left behind).

Prints `ok: ...` lines the Rust test checks. Every wait is bounded.
"""
import asyncio
import os
import sys
from urllib.parse import urlparse

# aiohttp_cache first: unmigrated, this is the line that fails.
from aiohttp_cache import RedisConfig, cache, setup_cache

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import redis.asyncio
import redis.exceptions

url = urlparse(os.environ["REDIS_URL"])
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
calls = []


@cache()
async def handler(request):
    calls.append(1)
    return web.Response(text="value %d" % len(calls))


# As its README sets it up: before the loop runs (RedisCache builds its pool with
# `run_until_complete`).
app = web.Application()
app.router.add_get("/", handler)
setup_cache(app, cache_type="redis", backend_config=RedisConfig(host=url.hostname, port=url.port))
backend = app["cache"]


async def main(mode):
    print("client:", type(backend._redis_pool).__module__)
    async with TestClient(TestServer(app)) as client:
        first = await (await client.get("/")).text()
        second = await (await client.get("/")).text()
        assert (first, second, len(calls)) == ("value 1", "value 1", 1), (first, second, calls)
        print("ok: the second request was served from Redis")
        direct = backend
        await direct.set("k", {"a": 1})
        assert await direct.get("k") == {"a": 1}
        assert await direct.has("k")
        await direct.delete("k")
        assert not await direct.has("k")
        await direct.clear()
        print("ok: set/get/has/delete/clear")
        if mode == "fault":
            admin = redis.asyncio.Redis(host=url.hostname, port=url.port)
            try:
                await admin.shutdown(nosave=True)
            except redis.exceptions.ConnectionError:
                pass
            print("ok: server shut down")
            try:
                await backend.get("k")
            except redis.exceptions.ConnectionError as error:
                print("ok: a cache read raised redis.exceptions." + type(error).__name__)
    print("ok: scenario finished")


loop.run_until_complete(asyncio.wait_for(main(sys.argv[1] if len(sys.argv) > 1 else "run"), 20))
