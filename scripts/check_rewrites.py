#!/usr/bin/env python3
"""Check rules/aioredis-rewrites.toml against the real redis-py: every constructor,
method and keyword a 1.x rewrite writes exists in the installed redis.asyncio.

    python scripts/check_rewrites.py rules/aioredis-rewrites.toml   # exit 1 when one is missing

Prints a JSON report: the redis version and the problems found. Run it with the
Python of an environment where the `redis` package under test is installed.
Standard library only (tomllib: Python 3.11+).
"""
import inspect
import json
import sys
import tomllib

import redis
import redis.asyncio
import redis.exceptions
from redis.asyncio.client import Pipeline, Redis


def parameters(function):
    return set(inspect.signature(function).parameters)


def version():
    return tuple(int(part) for part in redis.__version__.split(".")[:3])


def main(path):
    with open(path, "rb") as file:
        data = tomllib.load(file)
    problems = []

    def need(condition, what):
        if not condition:
            problems.append(what)

    init = parameters(Redis.__init__)
    for name, factory in data["factories"].items():
        for constructor in (factory["url"], factory["host_port"]):
            need(hasattr(redis.asyncio, constructor), f"{name}: redis.asyncio.{constructor}")
        for extra in factory["extra"]:
            keyword = extra.split("=")[0]
            need(keyword in init, f"{name}: Redis(..., {keyword}=)")
    for old, new in data["factory_keywords"].items():
        if new:
            need(new in init, f"factory keyword {old}: Redis(..., {new}=)")
    # Written by the code for an address: `host=`, `port=`, `unix_socket_path=`, and for
    # `encoding=`: `decode_responses=True`.
    for keyword in ("host", "port", "unix_socket_path", "decode_responses"):
        need(keyword in init, f"Redis(..., {keyword}=)")
    # `create_sentinel` → `Sentinel([(host, port), ...], **connection_kwargs)`: the class, its
    # `sentinel_kwargs`, the connection keywords `master_for`/`slave_for` hand to the clients'
    # pool (the client's own keywords, and the pool's `max_connections`), and those two methods
    # (same names, `service_name` first).
    import redis.asyncio.sentinel as sentinel_module
    from redis.asyncio.connection import ConnectionPool

    constructor = data["sentinel"]["constructor"]
    need(hasattr(redis.asyncio, constructor), f"create_sentinel: redis.asyncio.{constructor}")
    sentinel_class = getattr(redis.asyncio, constructor, sentinel_module.Sentinel)
    sentinel_init = parameters(sentinel_class.__init__)
    need("sentinels" in sentinel_init, f"{constructor}(sentinels)")
    pool_init = parameters(ConnectionPool.__init__)
    for old, new in data["sentinel_keywords"].items():
        if not new:
            continue
        if new.startswith("sentinel_kwargs."):
            need("sentinel_kwargs" in sentinel_init, f"sentinel keyword {old}: {constructor}(sentinel_kwargs=)")
            need(new.split(".", 1)[1] in init, f"sentinel keyword {old}: Redis(..., {new.split('.', 1)[1]}=)")
        else:
            need(new in init or new in pool_init, f"sentinel keyword {old}: Redis/ConnectionPool(..., {new}=)")
    for method in ("master_for", "slave_for"):
        need(
            list(inspect.signature(getattr(sentinel_class, method)).parameters)[1:2] == ["service_name"],
            f"{constructor}.{method}(service_name, ...)",
        )
    for old, new in data["renames"].items():
        need(hasattr(Redis, new), f"{old}: Redis.{new}")
    for key, new in data["keywords"].items():
        method = key.split(".")[0]
        need(new in parameters(getattr(Redis, method)), f"{key}: Redis.{method}({new}=)")
    for key, values in data["keyword_values"].items():
        method = key.split(".")[0]
        # A 1.x transaction's `execute` is redis-py's `Pipeline.execute`.
        owner = Pipeline if method == "execute" else Redis
        for written in values.values():
            keyword = written.split("=")[0]
            need(
                keyword in parameters(getattr(owner, method)),
                f"{key}: {owner.__name__}.{method}({keyword}=)",
            )
    for old, call in data["transactions"].items():
        method, _, rest = call.partition("(")
        keyword = rest.split("=")[0]
        need(keyword in parameters(getattr(Redis, method)), f"{old}: Redis.{method}({keyword}=)")
    for old, rewrite in data["exceptions"].items():
        name = rewrite["name"]
        need(hasattr(redis.exceptions, name), f"{old}: redis.exceptions.{name}")
        if rewrite["exact"]:
            # `aioredis.ReplyError` is rewritten through the swapped module.
            need(hasattr(redis.asyncio, name), f"{old}: redis.asyncio.{name}")
    # Written by the code: `async with client.client()`, `hset(key, mapping=)`,
    # `zadd(key, mapping)`, `mset(mapping)`, `publish`, and closing with `aclose()` from
    # 5.0.1 (`close()` before, as RU103 says for a lower target version).
    need(hasattr(Redis, "client"), "Redis.client")
    need(hasattr(Redis, "__aenter__"), "Redis.__aenter__")
    need("mapping" in parameters(Redis.hset), "Redis.hset(mapping=)")
    need("mapping" in parameters(Redis.zadd), "Redis.zadd(mapping)")
    need("mapping" in parameters(Redis.mset), "Redis.mset(mapping)")
    need(hasattr(Redis, "publish"), "Redis.publish")
    close = "aclose" if version() >= (5, 0, 1) else "close"
    need(inspect.iscoroutinefunction(getattr(Redis, close)), f"Redis.{close} is a coroutine")
    json.dump({"redis": redis.__version__, "problems": problems}, sys.stdout, indent=2)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
