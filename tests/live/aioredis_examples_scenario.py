"""aioredis 1.3.1's examples (tests/live/aioredis_examples) after `fix --unsafe-fixes`.

usage: aioredis_examples_scenario.py run|fault   (REDIS_URL names the server;
       examples_1x is on PYTHONPATH)

run:   every example runs against the server and returns what 1.x returned
       (decoded where the 1.x client had `encoding=`).
fault: the server shuts down; the example's own `except (aioredis.RedisError,
       OSError)` catches redis-py's ConnectionError.

Prints `ok: ...` lines the Rust test checks. Every wait is bounded.
"""
import asyncio
import os
import sys

# First: unmigrated, this is the line that fails.
import examples_1x

import redis.asyncio

URL = os.environ["REDIS_URL"]


async def run():
    print("client module:", examples_1x.aioredis.__name__)
    assert await examples_1x.commands(URL) == b"value"
    print("ok: commands.py main: set/get on a single-connection client")
    assert await examples_1x.redis_pool(URL) == b"value"
    print("ok: commands.py redis_pool")
    assert await examples_1x.scan(URL) == [b"key:1", b"key:2"]
    print("ok: scan.py: mset pairs, scan loop")
    assert await examples_1x.iscan(URL) == ["key:1", "key:2"]
    print("ok: iscan -> scan_iter")
    assert await examples_1x.decoding(URL) == {"key1": "value1", "key2": "value2", "key3": "123"}
    print("ok: 02_decoding.py: hmset_dict -> hset(mapping=), decoded")
    assert await examples_1x.multiexec(URL) == (True, True)
    print("ok: 03_multiexec.py: multi_exec -> pipeline(transaction=True)")
    assert await examples_1x.pool(URL) == b"value"
    print("ok: pool.py: with await -> async with client()")
    first, second, (ttl, forever), board, receivers = await examples_1x.expiring(URL)
    assert (first, second) == (True, None), (first, second)
    assert 0 < ttl <= 100 and forever == -1, (ttl, forever)
    assert board == [("one", 1.0), ("two", 2.0)], board
    assert receivers == 0
    print("ok: set(expire=, exist=), expire=0, zadd pairs, publish_json")
    assert await examples_1x.reply_error(URL) == "ResponseError"
    print("ok: except ReplyError caught redis-py's ResponseError")
    print("ok: scenario finished")


async def fault():
    assert await examples_1x.commands(URL) == b"value"
    print("ok: commands.py main")
    admin = redis.asyncio.from_url(URL)
    try:
        await admin.shutdown(nosave=True)
    except redis.exceptions.ConnectionError:
        pass
    print("ok: server shut down")
    caught = await examples_1x.server_gone(URL)
    print(caught)
    assert caught == "caught redis.exceptions.ConnectionError", caught
    print("ok: the example's except clause caught redis.exceptions.ConnectionError")
    print("ok: scenario finished")


if __name__ == "__main__":
    mode = sys.argv[1]
    asyncio.run(asyncio.wait_for(run() if mode == "run" else fault(), 30))
