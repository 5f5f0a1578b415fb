#!/usr/bin/env python3
"""Self-test for ast_census.py. Run: python3 scripts/test_ast_census.py"""
import contextlib
import io
import json
import os
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ast_census  # noqa: E402


def census(src):
    return ast_census.census_file(textwrap.dedent(src).encode())


class ImportTests(unittest.TestCase):
    def test_plain_and_from_imports(self):
        r = census("""\
            import aioredis
            import os, aioredis.sentinel as s
            from aioredis import ReplyError, Redis
            from aioredis.errors import *
            import aioredis2
            """)
        self.assertEqual(r["import_lines"], [1, 2, 3, 4])

    def test_not_aioredis(self):
        r = census("""\
            import redis.asyncio as aioredis
            from redis import asyncio as aioredis
            from . import aioredis
            from .aioredis import create_pool
            from ..aioredis.errors import ReplyError
            aioredis.create_pool(); create_pool(); ReplyError
            s = "import aioredis"  # import aioredis
            """)
        self.assertEqual((r["imports"], r["legacy_uses"]), (0, 0))
        self.assertEqual(r["text_mentions"], 7)  # every line mentions it

    def test_imports_in_try_and_function(self):
        r = census("""\
            try:
                import aioredis
            except ImportError:
                aioredis = None
            def f():
                from aioredis.pool import ConnectionsPool as P
                return P, aioredis.create_redis
            """)
        self.assertEqual(r["import_lines"], [2, 6])
        self.assertEqual(r["legacy_lines"], [7, 7])


class StringTargetTests(unittest.TestCase):
    def test_patch_targets_and_sys_modules(self):
        r = census("""\
            import sys, pytest
            from unittest import mock
            @mock.patch("aioredis.from_url")
            def test(monkeypatch, mocker):
                monkeypatch.setattr("aioredis.Redis.get", None)
                mocker.patch(
                    "aioredis.client.Redis")
                pytest.importorskip("aioredis")
                sys.modules["aioredis"] = None
                setattr("aioredis.x", "y", 1)
                mocker.patch("aioredis")
                mocker.patch("redis.asyncio.from_url")
            """)
        self.assertEqual(r["dynamic_lines"], [3, 5, 7, 8, 9])


class LegacyTests(unittest.TestCase):
    def test_outermost_chain_counts_once(self):
        r = census("""\
            import aioredis, aioredis.errors as E
            from aioredis import ReplyError, Redis
            aioredis.errors.ReplyError
            E.ReplyError; E
            aioredis.Redis.SET_IF_EXIST; aioredis.Redis.from_url
            ReplyError; Redis; aioredis.from_url(); aioredis.Redis
            aioredis.create_pool().close
            aioredis.create_pool = None
            aioredis.errors.X = 1
            """)
        self.assertEqual(r["legacy_lines"], [3, 4, 4, 5, 6, 7, 9])

    def test_string_annotations(self):
        r = census("""\
            from typing import Optional
            import aioredis
            def f(x: "aioredis.ConnectionsPool") -> Optional["aioredis.errors.ReplyError"]:
                y: "list['aioredis.GeoPoint']" = []
                z: "aioredis.Redis" = None
                w = "aioredis.create_pool"  # not an annotation
            """)
        self.assertEqual(r["legacy_lines"], [3, 3, 4])


class ClientTests(unittest.TestCase):
    def test_methods_and_keywords_on_1x_clients(self):
        r = census("""\
            import asyncio, aioredis
            from aioredis import create_redis
            async def f(key):
                redis = await aioredis.create_redis_pool("redis://")
                await redis.subscribe("ch"); redis.closed
                await redis.set(key, 1, expire=3, ex=3)
                await redis.get(key,
                                encoding="utf-8")
                await redis.rename(key, "b"); await redis.expire(key, 3)
                await redis.bitfield_ro(key, encoding="u8", offset=0)
            class C:
                def start(self, loop):
                    self.r = loop.run_until_complete(create_redis("redis://"))
                def stop(self):
                    return self.r.wait_closed()
            """)
        self.assertEqual(r["client_lines"], [5, 5, 6, 8, 15])
        self.assertEqual(r["legacy_lines"], [4, 5, 5, 6, 8, 13, 15])

    def test_other_clients_are_not_1x(self):
        r = census("""\
            import aioredis, redis.asyncio as ra
            async def f(other, key):
                a = aioredis.from_url("redis://")
                b = ra.Redis()
                p = await aioredis.create_pool("redis://")
                for c in (a, b, p, other):
                    await c.subscribe("ch"); await c.set(key, 1, expire=3)
                a.multi_exec(); b.wait_closed(); p.execute("PING"); other.multi_exec()
            """)
        # The module is 1.x (create_pool): `set(expire=)` looks like 1.x on `c` (line 7);
        # `p` is a 1.x pool, whose `execute` is gone (line 8), and `multi_exec` is a
        # 1.x-only name on the unknown `other` (line 8); `a` is 2.x, `b` redis-py.
        self.assertEqual(r["client_lines"], [7, 8, 8])
        self.assertEqual(r["legacy_lines"], [5, 7, 8, 8])

    def test_flows_within_the_module(self):
        r = census("""            import aioredis, pymemcache
            from typing import Optional
            async def get_redis():
                return await aioredis.create_redis_pool("redis://")
            async def f(pool, key):
                with await pool as conn:
                    tr = conn.multi_exec()
                    tr.set(key, 1, expire=3); tr.zadd(key, 1, "m")
                r = await get_redis()
                r.subscribe("ch")
            def g(r: Optional[aioredis.Redis], p: "aioredis.ConnectionsPool"):
                r.hmset_dict("k", {}); p.acquire()
            class Q(aioredis.Redis):
                def m(self):
                    return self.execute("PING")
            class S:
                _r: aioredis.Redis
                @property
                def redis(self):
                    return self._r
                def use(self, key, other):
                    self.redis.publish_json("c", {})
                    other.get(key, encoding="utf-8"); other.get(key)
                    mc = pymemcache.Client(); mc.set(key, 1, expire=3)
            """)
        self.assertEqual(r["client_lines"], [6, 7, 8, 8, 10, 12, 12, 15, 22, 23])

    def test_names_are_per_function(self):
        r = census("""            import aioredis
            async def f():
                conn = await aioredis.create_redis("redis://")
                conn.closed
            async def g(conn):
                conn.closed
            """)
        self.assertEqual(r["client_lines"], [4])

    def test_aioredis_redis_is_1x_only_in_1x_modules(self):
        r = census("""            import aioredis
            def g(r: aioredis.Redis, key):
                r.subscribe("ch"); r.set(key, 1, expire=3)
            """)
        self.assertEqual(r["client_lines"], [])


class RoundThreeTests(unittest.TestCase):
    def test_futures_sentinels_connections_replies(self):
        r = census("""
            import asyncio
            import aioredis
            async def f(url):
                redis = await aioredis.create_redis(url)              # 5: factory
                tr = redis.multi_exec()                               # 6: multi_exec
                fut = tr.incr("k")
                await tr.execute()
                await asyncio.gather(fut, redis.get("k"))             # 9: a future gathered
                print(await fut, fut.done())                          # 10: awaited, .done
                c1 = redis.get("k")
                await asyncio.gather(c1)                              # a coroutine: fine
                info = await redis.role()
                print(info.role, info.count(1), info[0])              # 14: info.role
                subs = await redis.pubsub_numsub("ch")
                print(subs[b"ch"], subs[0], list(subs.items()))       # 16: subs[...], items
                s = await aioredis.create_sentinel([("h", 1)])        # 17: factory
                m = s.master_for("x")
                await m.set("k", "v", expire=1)                       # 19: expire=
                await s.wait_closed()                                 # 20: wait_closed
                pool = await aioredis.create_pool(url)                # 21: factory
                with await pool as conn:                              # 22: with await
                    ch = conn.pubsub_channels["ch"]                   # 23: connection attr
                    await ch.wait_message()                           # 24: channel
                pool.release(conn)                                    # 25: pool release
                print(await redis.pubsub_channels("ch*"))             # a client's command: fine
            async def g(fixture):
                res = await fixture.pubsub_numsub("ch")
                assert res == {b"ch": 0}                              # 29: dict compared
                assert res != [(b"ch", 0)]                            # a list: fine
        """)
        self.assertEqual(r["legacy_lines"],
                         [5, 6, 9, 10, 10, 14, 16, 16, 17, 19, 20, 21, 22, 23, 24, 25, 29])


class RoundFourTests(unittest.TestCase):
    def test_command_semantics(self):
        r = census("""
            import math
            import time
            import aioredis
            async def f(url, other):
                redis = await aioredis.create_redis(url)              # 6: factory
                await redis.expire("k", 10.0)                         # 7: a float timeout
                now = math.ceil(time.time())
                await redis.expireat("k", now + 10)                   # an int: fine
                now = time.time()
                await redis.expireat("k", now + 10)                   # 11: a float now
                await redis.zrangebylex("z", min=b"-", max=b"e")      # 12: 1.x added `[`
                await redis.zlexcount("z", b"-", b"+")                # unchanged: fine
                await redis.bitpos("k", 0, end=3)                     # 14: end, no start
                await redis.bitpos("k", 0, 1, 3)                      # fine
                await redis.eval("return 1")                          # 16: no numkeys
                await redis.eval("return 1", keys=["k"])              # RU105's: not here
                await redis.sort("a", "v:*")                          # 18: a get pattern
                await redis.watch("k")                                # 19: a no-op now
                tr = redis.multi_exec()                               # 20: multi_exec
                tr.connection.execute("INCR", "k")                    # 21: None in redis-py
                await other.expire("k", 0.5)                          # unknown: fine
                await other.sort("a", "b")                            # unknown: fine
                await tr.incr("k")                                    # 24: queued, awaited
                await tr.watch("k")                                   # pipeline's own: fine
                ch = redis.channels["ch"]                             # 26: channels
                print(ch.is_pattern, other.channels["x"].name)        # 27: a 1.x Channel
                ch.close()                                            # 28: Channel.close
                print(str(ch), str(redis), repr(other))               # 29: str(Channel)
                await redis.unwatch()                                 # dropped: fine
                res = await redis.unwatch()                           # 31: True in 1.x
        """)
        self.assertEqual(r["legacy_lines"], [6, 7, 11, 12, 14, 16, 18, 19, 20, 21, 24, 26, 27,
                                             28, 29, 31])


    def test_pool_internals(self):
        r = census("""
            import aioredis
            async def f(url, other):
                pool = await aioredis.create_pool(url)                # 4: factory
                conn = pool._pool[0]                                  # 5: _pool
                print(conn.closed, pool._close_state)                 # 6, 6: a connection
                pool._drop_closed()                                   # 7: internals
                first = other._pool[0]
                print(first.closed)                                   # unknown: fine
                fut = pool.execute("GET", "k")                        # 10: pool.execute
                print(fut.done(), await fut)                          # 11: a sent future
                reply = await pool.execute("GET", "k")                # 12: pool.execute
                print(reply.decode())                                 # awaited: fine
        """)
        self.assertEqual(r["legacy_lines"], [4, 5, 6, 6, 7, 10, 11, 12])
    def test_reply_shapes_parts_and_printed_forms(self):
        r = census("""
            import aioredis
            class Clock:
                def time(self):
                    return 0.0
            async def f(url, clock: Clock):
                redis = await aioredis.create_redis(url)              # 7: factory
                start = await redis.time()
                assert start - 1 > 0                                  # 9: arithmetic
                assert clock.time() - 1 > 0                           # its own time(): fine
                assert isinstance(await redis.lastsave(), int)        # 11: isinstance
                assert await redis.geohash("g", "m") == [b"x"]        # 12: bytes
                assert await redis.geohash("g", "m") == ["x"]         # str: fine
                for info in await redis.client_list():
                    print(info.name)                                  # 15: named tuple
                    print(info["name"])                               # a dict: fine
                n, lo, hi, consumers = await redis.xpending("s", "g")
                assert n == 0                                         # 18: unpacked
                cursor, values = await redis.hscan("h")
                assert sorted(values) == [(b"f", b"v")]               # 20: pairs
                assert cursor == 0                                    # fine
                tr = redis.pipeline()                                 # 22: pipeline()
                tr.time()
                t1, = await tr.execute()
                assert t1 * 2                                         # 25: queued reply
                assert str(redis) == "<Redis <RedisConnection [db:0]>>"  # 26: printed
                start = await redis.incr("k")
                assert start - 1 > 0                                  # rebound: fine
        """)
        self.assertEqual(r["legacy_lines"], [7, 9, 11, 12, 15, 18, 20, 22, 25, 26])


class DynamicTests(unittest.TestCase):
    def test_dynamic_imports(self):
        r = census("""\
            import importlib
            from importlib import import_module as im
            importlib.import_module("aioredis.errors")
            im("aioredis")
            __import__("aioredis")
            importlib.import_module("redis")
            importlib.import_module(".errors", "aioredis")
            importlib.import_module(name)
            """)
        self.assertEqual(r["dynamic_lines"], [3, 4, 5])
        self.assertEqual(r["imports"], 0)

    def test_import_module_not_from_importlib(self):
        r = census("""\
            from mylib import import_module
            import_module("aioredis")
            """)
        self.assertEqual(r["dynamic"], 0)


class TreeTests(unittest.TestCase):
    def test_tree_json_and_unparsable(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "pkg"))
            files = {"pkg/b.py": "import aioredis\naioredis.create_pool\n",
                     "a.pyi": "from aioredis.pool import ConnectionsPool\n",
                     "bad.py": "def (:\n  import aioredis\n",
                     "notes.txt": "import aioredis\n"}
            for rel, text in files.items():
                with open(os.path.join(root, rel), "w") as f:
                    f.write(text)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                ast_census.main([root, "--json"])
            data = json.loads(out.getvalue())
            self.assertEqual(list(data["files"]), ["a.pyi", "pkg/b.py"])
            self.assertEqual(data["unparsable"], ["bad.py"])
            self.assertIn("bad.py", err.getvalue())
            self.assertEqual(data["files"]["pkg/b.py"]["legacy_lines"], [2])
            t = data["totals"]
            self.assertEqual((t["imports"], t["legacy_uses"], t["unparsable"]), (2, 1, 1))


if __name__ == "__main__":
    unittest.main()
