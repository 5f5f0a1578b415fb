"""What redis.asyncio (a default client) returns for the commands of
rules/aioredis-api.toml's [reply_shapes], on a live server: one `ok: <command>` line each.
Usage: reply_shapes.py PORT OTHER_PORT (OTHER_PORT: a second server, for MIGRATE)."""
import asyncio
import datetime
import sys

import redis.asyncio as aioredis


def check(command, condition, got):
    if not condition:
        raise SystemExit(f"unexpected reply of {command}: {got!r}")
    print(f"ok: {command}")


async def main(port, other_port):
    client = aioredis.Redis(port=port)
    other = aioredis.Redis(port=other_port)
    await client.flushall()
    await other.flushall()
    role = await client.role()
    check("role", isinstance(role, list) and role[0] == b"master", role)
    pong = await client.ping()
    check("ping", pong is True, pong)
    await client.rpush("l", "a", "b")
    popped = await client.blpop("l", timeout=1)
    check("blpop", popped == (b"l", b"a"), popped)
    popped = await client.brpop("l", timeout=1)
    check("brpop", popped == (b"l", b"b"), popped)
    await client.zadd("z", {"a": 0, "b": 1, "c": 5, "f": 9})
    popped = await client.bzpopmin("z", timeout=1)
    check("bzpopmin", popped == (b"z", b"a", 0.0), popped)
    popped = await client.bzpopmax("z", timeout=1)
    check("bzpopmax", popped == (b"z", b"f", 9.0), popped)
    popped = await client.zpopmax("z")
    check("zpopmax", popped == [(b"c", 5.0)], popped)
    popped = await client.zpopmin("z", 3)
    check("zpopmin", popped == [(b"b", 1.0)], popped)
    await client.sadd("s", "m")
    members = await client.smembers("s")
    check("smembers", members == {b"m"}, members)
    numsub = await client.pubsub_numsub("ch")
    check("pubsub_numsub", numsub == [(b"ch", 0)], numsub)
    now = await client.time()
    check("time", isinstance(now, tuple) and len(now) == 2
          and all(isinstance(x, int) for x in now), now)
    saved = await client.lastsave()
    check("lastsave", isinstance(saved, datetime.datetime), saved)
    await client.geoadd("geo", (13.361389, 38.115556, "Palermo"))
    points = await client.geopos("geo", "Palermo", "Nowhere")
    check("geopos", type(points[0]) is tuple and len(points[0]) == 2 and points[1] is None,
          points)
    hashes = await client.geohash("geo", "Palermo")
    check("geohash", hashes == ["sqc8b49rny0"], hashes)
    await client.client_setname("worker")
    name = await client.client_getname()
    check("client_getname", name == "worker", name)
    await client.xadd("stream", {"a": 1})
    await client.xgroup_create("stream", "group", id="0")
    groups = await client.xinfo_groups("stream")
    check("xinfo_groups", groups[0]["name"] == b"group" and b"name" not in groups[0], groups)
    await client.xreadgroup("group", "consumer", {"stream": ">"})
    consumers = await client.xinfo_consumers("stream", "group")
    check("xinfo_consumers", consumers[0]["name"] == b"consumer", consumers)
    pending = await client.xpending("stream", "group")
    check("xpending", isinstance(pending, dict)
          and list(pending) == ["pending", "min", "max", "consumers"], pending)
    commands = await client.command()
    check("command", isinstance(commands, dict) and "get" in commands, type(commands))
    clients = await client.client_list()
    check("client_list", isinstance(clients[0], dict) and "name" in clients[0], clients)
    await client.hset("h", mapping={"f": "v"})
    scanned = await client.hscan("h")
    check("hscan", scanned == (0, {b"f": b"v"}), scanned)
    await client.set("k", "v")
    moved = await client.migrate("127.0.0.1", other_port, "k", 0, 1000)
    check("migrate", moved == b"OK", moved)
    # The printed forms ([printed_forms]): nothing like aioredis 1.x's `<Redis <RedisConnection ...>>`.
    check("repr", repr(client).startswith("<redis.asyncio.client.Redis("), repr(client))
    check("repr", repr(client.connection_pool).startswith(
        "<redis.asyncio.connection.ConnectionPool("), repr(client.connection_pool))
    await other.aclose()
    await client.aclose()
    closing = aioredis.Redis(port=port)
    quitted = await closing.quit()
    check("quit", quitted is True, quitted)
    await closing.aclose()


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
