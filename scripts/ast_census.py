#!/usr/bin/env python3
"""Independent reference census of `aioredis` usage, built on Python's own `ast`.

This script exists to cross-check redis-unify (the Rust linter): it counts, per file
and in total, what the linter should find, using CPython's parser instead of ours.
Standard library only (Python 3.11).

    python3 scripts/ast_census.py DIR           # human-readable table
    python3 scripts/ast_census.py DIR --json    # machine-readable, for diffing
    python3 scripts/ast_census.py DIR --all     # table also lists files with no hits

Counted per file (each counted item also records its 1-based line number):
  imports      import STATEMENTS of `aioredis` or `aioredis.*` (absolute only; one per
               statement however many aliases it has). `import redis.asyncio as aioredis`
               and relative imports (`from .x import y`) never count.
  dynamic      importlib.import_module("aioredis...") / import_module(...) imported from
               importlib / __import__(...), first positional argument a string literal
               equal to "aioredis" or starting with "aioredis.".
               Also string targets that import aioredis when they run: a call whose
               callee's last name is `patch`, `setattr`, `delattr` or `resolve_name`
               (any receiver: `mock.patch`, `monkeypatch.setattr`, `mocker.patch`) with a
               first positional string starting with "aioredis." (its line);
               `pytest.importorskip` / `importlib.util.find_spec` with an aioredis name;
               and `sys.modules["aioredis..."]` subscripts.
  legacy_uses  Load-context Name/Attribute chains (not import statements) resolving,
               through the file's import aliases, to an aioredis 1.x-only name (see
               below). One count per outermost chain. String annotations are parsed and
               their contents counted the same way.
  text_mentions  lines (split on "\\n") containing the substring "aioredis" anywhere,
               code, strings or comments.
  flow_uses    (issue 14) where aioredis 1.x objects flow within the file. A file is "1.x" when
               it has a legacy_uses line or imports a 1.x-only name. Kinds (client, pool,
               transaction, other) are given, by name (any scope), `self.<attr>` (any class),
               function name (what calling it returns) and class name, by: the factories
               (create_redis/create_redis_pool/create_connection: client; create_pool: pool;
               also under `asyncio.wait_for`/`asyncio.shield`) and the 1.x classes called;
               a call of any other imported callable (other: never judged); `x = y`;
               `x.multi_exec()`/`x.pipeline()` on a client (and `multi_exec()` on anything in
               a 1.x file): transaction; `pool.acquire()`, `async with pool.get()/acquire() as
               c`, `with await x as c` (x a client or pool, or anything in a 1.x file): client;
               `return v` (a `@property` gives `self.<name>`); an argument of a call of a
               function of the file (`f(x)`, `self.m(x)`; names and attributes, not `f(g())`)
               gives the parameter it lands in, and
               so does a call `func(...)` in a decorator of the file whose first parameter is
               `func`, into each function it decorates (`@with_conn`, `_conn=conn`); `subscribe()`/`psubscribe()` on
               a client: a channel list, whose elements (`x[0]`, `a, = x`) are channels, as is
               `aioredis.Channel(...)`; annotations of parameters,
               annotated assignments and returns that name 1.x types (`aioredis.Redis` only in a
               1.x file; `aioredis.ConnectionsPool` etc. anywhere; a type of another package,
               not `typing`'s, is "other"); a class whose base is a 1.x
               `Redis` (or a class of the file that does) makes `self` a client in its
               methods; `self.<attr>` is one name across the file's classes, so an attribute
               set in a base class counts in its subclasses. Repeated until nothing changes.
               Then counted: 1.x-only attributes of clients and pools, every attribute of a
               channel (the class is gone), 1.x-only keywords and
               positional forms on clients and transactions, `with await x` items that are the
               1.x idiom, and, in a 1.x file, the "anywhere" keyword/positional forms and
               1.x-only attribute names (ANYWHERE_ATTRS) on any receiver that is not a known
               object, unless a class of the file defines a method of that name. Round 3: a
               "connection" kind (create_connection, `with await pool`, `pool.acquire()`, `async
               with pool.get()`; a client otherwise) whose `pubsub_channels`/`pubsub_patterns`
               count (and give channels), a pool's `release`, a "sentinel" kind (create_sentinel,
               RedisSentinel annotations; `master_for`/`slave_for` give clients) whose 1.x-only
               attributes count, a "future" kind (a transaction's queued command, not `execute`)
               counted where awaited or passed to asyncio.gather and its like, and at any attribute
               (`fut.done()`), and a "reply" kind
               (`role()`, `pubsub_numsub()` on a client) whose 1.x-only uses count (an attribute
               of a namedtuple; a non-integer subscript or dict method of a dict). Also counted
               in legacy_uses / legacy_lines
               (this replaces client_uses, which it contains).
               Across files (the only cross-file step): a class whose base is a class of
               another file of the tree (`from M import Base`, `from M import *`,
               `import M as m` + `m.Base`; relative imports resolved in the file's package
               chain) inherits that class's self-flows (and those of its bases in its file):
               in a method of the base, `x = self.m()` / `x = self.a` (awaited, subscripted)
               then `self.n(x)`, `return x`, `self.b = x`. In the subclass they become flows
               from what `self.m()` gives (the file's "f" key) into the subclass's own method
               `n`'s parameter, the "f" key of a returning method, or the "a" key.
               pytest fixtures: a module-level function decorated `@pytest.fixture`,
               `@pytest.yield_fixture` or `@pytest_asyncio.fixture` (called or not) gives
               what it returns or yields as its "f" key; one that returns a function it
               defines gives what that function returns (a factory). A parameter of a
               `test*` function, of a `test*` method of a `Test*` class, or of a fixture,
               named like a fixture of the file holds that fixture's "f" key; named like a
               fixture of a `conftest.py` in the file's folder or above (closest first;
               those conftest files are censused first, parents before children) it holds
               its kind (a factory: calling the parameter gives it), and the file is 1.x.
               Files that import nothing of aioredis get this step when they are test
               modules (`test_*.py`, `*_test.py`, `conftest.py`) below such a conftest.

Deliberate simplifications (it is a cross-check, not a linter):
  * The alias map is flow- and scope-insensitive: every import statement anywhere in the
    file (module level, functions, try/except, `if TYPE_CHECKING`) binds its names for
    the whole file. A name bound by several imports maps to all their targets, and a
    chain counts if ANY target resolves to a 1.x-only name. Non-import assignments
    (`aioredis = None`) are ignored.
  * `from aioredis.x import *` counts as an import but binds nothing.
  * client_uses tracking is flow- and scope-insensitive too: a name assigned a 1.x client
    anywhere in the file holds one everywhere in it (`self.<attr>` likewise, whatever the
    class), and the first argument of `run_until_complete` is taken as its result.
"""
import argparse
import ast
import json
import os
import re
import sys
import warnings

# --------------------------------------------------------------------------------------
# aioredis 1.x-only names (absent from aioredis 2.x / redis.asyncio).
# --------------------------------------------------------------------------------------
# Exact fully-qualified names.
LEGACY_EXACT = {
    *(f"aioredis.{n}" for n in [
        "create_connection", "create_pool", "create_redis", "create_redis_pool",
        "create_sentinel", "create_sentinel_pool", "RedisConnection", "ConnectionsPool",
        "GeoPoint", "GeoMember", "Channel", "RedisSentinel", "ReplyError",
        "MaxClientsError", "AuthError", "ProtocolError", "PipelineError",
        "MultiExecError", "WatchVariableError", "ConnectionClosedError",
        "ConnectionForcedCloseError", "PoolClosedError", "ChannelClosedError",
        "MasterNotFoundError", "SlaveNotFoundError", "MasterReplyError",
        "SlaveReplyError",
    ]),
    "aioredis.sentinel.create_sentinel", "aioredis.sentinel.create_sentinel_pool",
    "aioredis.sentinel.RedisSentinel", "aioredis.sentinel.SentinelPool",
    "aioredis.connection.RedisConnection", "aioredis.connection.create_connection",
    # Class constants of the 1.x Redis command mixins.
    *(f"aioredis.Redis.{n}" for n in [
        "SET_IF_NOT_EXIST", "SET_IF_EXIST", "ZSET_EXCLUDE_MIN", "ZSET_EXCLUDE_MAX",
        "ZSET_EXCLUDE_BOTH", "ZSET_AGGREGATE_SUM", "ZSET_AGGREGATE_MIN",
        "ZSET_AGGREGATE_MAX", "ZSET_IF_NOT_EXIST", "ZSET_IF_EXIST", "SHUTDOWN_SAVE",
        "SHUTDOWN_NOSAVE",
    ]),
}
# 1.x-only modules: the module itself and anything under it counts.
LEGACY_MODULES = [
    "aioredis.errors", "aioredis.pubsub", "aioredis.abc", "aioredis.commands",
    "aioredis.pool", "aioredis.util", "aioredis.locks", "aioredis.parser",
    "aioredis.stream",
]

# aioredis 1.3.1 client factories, and the attributes of the 1.x `Redis` client that
# redis.asyncio.Redis 8.1.0 lacks (reference §3.4, written out here independently of
# rules/aioredis-api.toml).
CLIENT_ONLY_ATTRS = {"_reader_task", "_waiters"} | set("""
address bitop_and bitop_not bitop_or bitop_xor channels closed cluster_add_slots
cluster_count_failure_reports cluster_count_key_in_slots cluster_del_slots cluster_failover
cluster_forget cluster_get_keys_in_slots cluster_info cluster_keyslot cluster_meet cluster_nodes
cluster_replicate cluster_reset cluster_save_config cluster_set_config_epoch cluster_setslot
cluster_slaves cluster_slots connection db debug_sleep encoding execute hmset_dict ihscan in_pubsub
in_transaction iscan isscan izscan migrate_keys multi_exec object_encoding object_idletime
object_refcount patterns psubscribe publish_json punsubscribe subscribe unsubscribe wait_closed
xinfo xinfo_help xread_group
execute_pubsub
""".split()) | {"watch", "unwatch", "command_info"}
# Of those, counted only where the reply is used: `[await] conn.unwatch()` alone is the same.
WHEN_USED_ATTRS = {"unwatch"}
# execute_pubsub: 1.x `RedisConnection`'s, judged as a client too. watch/unwatch/command_info
# (round 4): redis.asyncio's client has them, as a no-op that warns (WATCH lives on the
# pipeline) and as a method that raises NotImplementedError.
MODULE = "aioredis"


def is_aioredis(name):
    """True for 'aioredis' or 'aioredis.<anything>' (not 'aioredis2', not 'redis.asyncio')."""
    return name == MODULE or name.startswith(MODULE + ".")


def is_legacy(qualname):
    """True if the fully-qualified dotted name is a 1.x-only name or under a 1.x module."""
    if qualname in LEGACY_EXACT:
        return True
    return any(qualname == m or qualname.startswith(m + ".") for m in LEGACY_MODULES)


def build_alias_map(tree):
    """Local name -> set of fully-qualified targets, from every absolute import in the file."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:                       # import a.b.c as d  -> d = a.b.c
                    aliases.setdefault(a.asname, set()).add(a.name)
                else:                              # import a.b.c       -> a = a
                    top = a.name.split(".")[0]
                    aliases.setdefault(top, set()).add(top)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for a in node.names:
                if a.name != "*":                  # from m import x as y -> y = m.x
                    aliases.setdefault(a.asname or a.name, set()).add(f"{node.module}.{a.name}")
    return aliases


def chain_parts(node):
    """['a', 'b', 'c'] for the expression a.b.c, or None if not a pure Name/Attribute chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def resolve(parts, aliases):
    """All fully-qualified names the chain can denote (empty if its root is not imported)."""
    return [".".join([t] + parts[1:]) for t in sorted(aliases.get(parts[0], ()))]


def chain_is_legacy(parts, aliases):
    """True if any resolution of the chain, or any prefix of it, is a 1.x-only name.
    Checking prefixes makes `aioredis.create_pool.__doc__` count, while the caller counts
    only the outermost chain, so `aioredis.errors.ReplyError` counts once, not twice."""
    for qual in resolve(parts, aliases):
        segs = qual.split(".")
        if any(is_legacy(".".join(segs[:i])) for i in range(1, len(segs) + 1)):
            return True
    return False


def chain_lines(tree, aliases, line_offset=0):
    """Line numbers of every outermost Load-context chain that resolves to a 1.x-only name."""
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            parent = parents.get(node)
            # Not outermost if it is the `.value` of a longer Load chain (a.b inside a.b.c).
            # The Load prefix of a Store/Del chain (`aioredis.errors` in
            # `aioredis.errors.X = 1`) is outermost among Loads, so it counts.
            if (isinstance(parent, ast.Attribute) and parent.value is node
                    and isinstance(parent.ctx, ast.Load)):
                continue
            parts = chain_parts(node)
            if parts and chain_is_legacy(parts, aliases):
                lines.append(node.lineno + line_offset)
    return lines


def string_annotation_lines(ann, aliases, line_offset=0):
    """Every str literal inside an annotation expression (so also Optional["x.Y"]) is parsed
    as an expression and counted like code; recursive, for "Optional['x.Y']"."""
    lines = []
    for sub in ast.walk(ann):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value.lstrip()
            # Line of the string's first line, plus newlines lstrip() removed.
            offset = line_offset + sub.lineno - 1 + sub.value[: len(sub.value) - len(text)].count("\n")
            try:
                inner = ast.parse(text.rstrip(), mode="eval")
            except (SyntaxError, ValueError):
                continue                           # not an expression (e.g. prose): ignore
            lines += chain_lines(inner, aliases, offset)
            lines += string_annotation_lines(inner.body, aliases, offset)
    return lines


def legacy_lines_in(tree, aliases):
    """All legacy-use lines of a module: code chains plus string annotations of parameters,
    return types and annotated assignments."""
    lines = chain_lines(tree, aliases)
    for node in ast.walk(tree):
        ann = None
        if isinstance(node, ast.arg):
            ann = node.annotation
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ann = node.returns
        elif isinstance(node, ast.AnnAssign):
            ann = node.annotation
        if ann is not None:
            lines += string_annotation_lines(ann, aliases)
    return lines


def is_dynamic_import(call, aliases):
    """importlib.import_module / import_module / __import__ with a literal aioredis name."""
    if not call.args:
        return False
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)
            and is_aioredis(first.value)):
        return False
    parts = chain_parts(call.func)
    if not parts:
        return False
    if parts == ["__import__"] and "__import__" not in aliases:
        return True                                # the builtin, not an imported shadow
    if parts == ["importlib", "import_module"] and "importlib" not in aliases:
        return True                                # tolerate a missing `import importlib`
    if parts[-1] in ("importorskip", "find_spec") and parts[0] in ("pytest", "importlib"):
        return True
    return "importlib.import_module" in resolve(parts, aliases)


TARGET_CALLEES = ("patch", "setattr", "delattr", "resolve_name")


def string_target_line(call):
    """The line of a `mock.patch("aioredis.x")`-like string target, else None."""
    parts = chain_parts(call.func)
    if not parts or parts[-1] not in TARGET_CALLEES or not call.args:
        return None
    if parts == ["setattr"] or parts == ["delattr"]:
        return None                                # the builtins take an object first
    first = call.args[0]
    if (isinstance(first, ast.Constant) and isinstance(first.value, str)
            and first.value.startswith("aioredis.")):
        return first.lineno
    return None


def is_sys_modules_key(node):
    """`sys.modules["aioredis"]` (or a submodule)."""
    return (chain_parts(node.value) == ["sys", "modules"]
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
            and is_aioredis(node.slice.value))


# Issue 14: the 1.x objects' other tables, written out from the tsv
# (../shared/reference/aioredis-1x-signatures.tsv) and reference §3.4 for this script.
POOL_ONLY_ATTRS = set("""
execute execute_pubsub acquire get select auth clear wait_closed closed size freesize minsize
maxsize address db encoding in_pubsub pubsub_channels pubsub_patterns
release _pool _close_state _drop_closed
""".split())                  # the last: a coroutine in redis.asyncio, never awaited by 1.x code
# Issue 14, round 3: attributes of a 1.x `RedisConnection` (create_connection, `with await pool`,
# `pool.acquire()`, `async with pool.get()`) that mean something else on redis.asyncio's client
# (aioredis 1.3.1 connection.py: read-only mappings of `Channel`s; their items are channels).
CONNECTION_ATTRS = {"pubsub_channels", "pubsub_patterns"}
# aioredis 1.3.1 `RedisSentinel` (sentinel/commands.py) attributes that redis.asyncio 8.1.0's
# `Sentinel` lacks (`close` is RU103's); `master_for`/`slave_for` give clients.
SENTINEL_ONLY_ATTRS = set("""
wait_closed closed execute ping master master_address masters slaves sentinels monitor remove set
failover check_quorum
""".split())
# 1.x commands whose reply has another shape in redis-py: role() a namedtuple (any attribute
# but count/index breaks), pubsub_numsub() a dict (a non-integer subscript and dict methods break).
REPLY_SHAPES = {"role": "namedtuple", "pubsub_numsub": "dict", "ping": "literal",
                "quit": "literal", "blpop": "tuple", "brpop": "tuple", "bzpopmin": "tuple",
                "bzpopmax": "tuple", "smembers": "set"}
# What a "literal" reply was in 1.x (compared with it, redis-py's reply never equals it).
REPLY_WAS = {"ping": {"PONG"}, "quit": {"OK"}}
# Of those, the names only Redis clients have: followed on any receiver of a 1.x file, and a
# dict-shaped reply compared (==, !=) with a dict display counts too.
REPLY_ANYWHERE = {"pubsub_numsub"}
# Round 4 (issue 14): more reply shapes (aioredis 1.3.1 commands/*.py against the callbacks of a
# default redis-py 8.1.0 client, checked live). "number": 1.x gave a number (arithmetic on it,
# ordering against a number literal, isinstance(_, float/int)); "decoded": 1.x bytes, redis-py
# str (== a bytes literal or a list/tuple display holding one); "bytes_keys": 1.x dicts keyed by
# bytes (== a display holding a dict display with a bytes key); "flat": 1.x a flat list, redis-py
# pairs (== a non-empty list display without tuple displays); "true": 1.x True (is/== True);
# "list": 1.x a list, redis-py a dict (isinstance(_, list), an integer subscript).
REPLY_SHAPES.update({"time": "number", "lastsave": "number", "geohash": "decoded",
                     "client_getname": "decoded", "xinfo_groups": "bytes_keys",
                     "xinfo_consumers": "bytes_keys", "zpopmax": "flat", "zpopmin": "flat",
                     "migrate": "true", "command": "list"})
# Parts of replies: "client_list" judges each element (`for info in reply`), "hscan" the item
# unpacked at position 1 (`cursor, values = reply`), "xpending" holds with at most 2 arguments
# (its detail form is another); a name unpacked from a "list" reply gets redis-py's dict keys.
# The model names a part `cmd`, `cmd(n)` (n arguments), `cmd[]` (an element), `cmd(n)[i]`.
REPLY_SHAPES.update({"xpending": "list", "client_list": "namedtuple", "hscan": "pairs",
                     "geopos": "namedtuple"})
REPLY_EACH = {"client_list", "geopos"}
REPLY_AT = {"hscan": 1}
REPLY_MAX_ARGS = {"xpending": 2}


def reply_part(part):
    """(command, shape, unpacked) of a reply part the tables judge, else None."""
    if not part:
        return None
    command, _, position = part.partition("[")
    position = position.rstrip("]") if "[" in part else None
    command, _, count = command.partition("(")
    count = int(count.rstrip(")")) if count else 0
    shape = REPLY_SHAPES.get(command)
    if shape is None or count > REPLY_MAX_ARGS.get(command, count):
        return None
    whole = command not in REPLY_AT and command not in REPLY_EACH
    if position is None:
        return (command, shape, False) if whole else None
    if position == "":
        return (command, shape, False) if command in REPLY_EACH else None
    if REPLY_AT.get(command) == int(position):
        return (command, shape, False)
    return (command, shape, True) if whole and shape == "list" else None


def call_count(node, parts):
    """How many arguments the call of `parts` in the value `node` assigns or iterates passes
    (None: a starred one or **kwargs)."""
    value = node.iter if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) else getattr(
        node, "value", None)
    for c in ast.walk(value) if value is not None else ():
        if isinstance(c, ast.Call) and chain_parts(c.func) == parts:
            if any(isinstance(a, ast.Starred) for a in c.args) or any(
                    k.arg is None for k in c.keywords):
                return None
            return len(c.args) + len(c.keywords)
    return None


def command_of(node, parts):
    count = call_count(node, parts)
    return parts[-1] + (f"({count})" if count else "")


# What repr()/str() of a 1.x client/connection or pool started with (compared with it: ==, !=,
# in, not in; a string literal or a set/list/tuple display holding one).
PRINTED_STARTS = {"client": ("<Redis ", "<RedisConnection ", "<ConnectionsPool "),
                  "pool": ("<ConnectionsPool ",)}
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
DICT_METHODS = {"items", "keys", "values", "get"}
# Functions that await the futures they are given (a 1.x queued command's result).
AWAITING = {"asyncio.gather", "asyncio.wait", "asyncio.wait_for", "asyncio.shield",
            "asyncio.ensure_future", "asyncio.as_completed"}
# 1.x-only client attributes no other common library has (redis-py's PubSub and Pipeline,
# asyncio, SQLAlchemy, aiohttp do not): in a 1.x file, counted on any receiver that is not a
# known object, unless a class of the file defines a method of that name.
ANYWHERE_ATTRS = set("""
bitop_and bitop_not bitop_or bitop_xor debug_sleep hmset_dict ihscan iscan isscan izscan in_pubsub
migrate_keys multi_exec object_encoding object_idletime object_refcount execute_pubsub publish_json
xinfo_help xread_group
""".split()) | {a for a in """
cluster_add_slots cluster_count_failure_reports cluster_count_key_in_slots cluster_del_slots
cluster_failover cluster_forget cluster_get_keys_in_slots cluster_info cluster_keyslot cluster_meet
cluster_nodes cluster_replicate cluster_reset cluster_save_config cluster_set_config_epoch
cluster_setslot cluster_slaves cluster_slots
""".split()}
# method -> (keywords judged on known clients/transactions, of which judged anywhere in 1.x files)
FLOW_KEYWORDS = {
    "set": ("expire pexpire exist", "expire pexpire exist"),
    "expire": ("timeout", "timeout"), "pexpire": ("timeout", "timeout"),
    "expireat": ("timestamp", "timestamp"), "pexpireat": ("timestamp", "timestamp"),
    "zadd": ("exist changed", "exist changed"),
    "xadd": ("message_id max_len exact_len", "message_id max_len exact_len"),
    "xtrim": ("exact_len", "exact_len"),
    "xread": ("timeout latest_ids", "timeout latest_ids"),
    "xgroup_create": ("latest_id", "latest_id"), "xgroup_setid": ("latest_id", "latest_id"),
    "georadius": ("with_dist with_hash with_coord", "with_dist with_hash with_coord"),
    "georadiusbymember": ("with_dist with_hash with_coord", "with_dist with_hash with_coord"),
    "zrangebyscore": ("offset count exclude", "offset count exclude"),
    "zrangebylex": ("include_min include_max offset count", "include_min include_max offset count"),
    "zrevrangebylex": ("include_min include_max offset count", "include_min include_max offset count"),
    "zlexcount": ("include_min include_max", "include_min include_max"),
    "zremrangebylex": ("include_min include_max", "include_min include_max"),
    "zrevrangebyscore": ("offset count exclude", "offset count exclude"),
    "zcount": ("exclude", "exclude"), "zremrangebyscore": ("exclude", "exclude"),
    "zinterstore": ("with_weights", "with_weights"), "zunionstore": ("with_weights", "with_weights"),
    "linsert": ("before", "before"), "srandmember": ("count", "count"),
    "sort": ("offset count asc", ""), "hincrby": ("increment", ""), "incrby": ("increment", ""),
    "decrby": ("decrement", ""),
    "execute": ("return_exceptions", "return_exceptions"),
    "flushdb": ("async_op", "async_op"), "flushall": ("async_op", "async_op"),
}
# Parameters 1.x named differently, as keywords on known objects (the tsv's column 4, less
# each command's first parameter and names after a `*args`; eval/evalsha are RU105's).
FLOW_RENAMED = {
    "brpoplpush": "destkey",
    "geoadd": "longitude latitude member",
    "geodist": "member1 member2",
    "geohash": "member",
    "geopos": "member",
    "hdel": "field",
    "hexists": "field",
    "hget": "field",
    "hincrby": "field",
    "hincrbyfloat": "field increment",
    "hmget": "field",
    "hmset": "field value",
    "hset": "field",
    "hsetnx": "field",
    "hstrlen": "field",
    "incrbyfloat": "increment",
    "linsert": "pivot",
    "lpush": "value",
    "lpushx": "value",
    "lrange": "stop",
    "ltrim": "stop",
    "msetnx": "value",
    "pfadd": "value",
    "pfmerge": "sourcekey",
    "psetex": "milliseconds",
    "rename": "newkey",
    "renamenx": "newkey",
    "rpoplpush": "destkey",
    "rpush": "value",
    "rpushx": "value",
    "sadd": "member",
    "sdiffstore": "key",
    "setex": "seconds",
    "sinterstore": "key",
    "sismember": "member",
    "smove": "destkey member",
    "srem": "member",
    "sunionstore": "key",
    "xack": "group_name id",
    "xclaim": "group_name consumer_name id",
    "xdel": "id",
    "xgroup_create": "group_name",
    "xgroup_delconsumer": "group_name consumer_name",
    "xgroup_destroy": "group_name",
    "xgroup_setid": "group_name",
    "xinfo_consumers": "group_name",
    "xpending": "group_name start stop count consumer",
    "xrange": "start stop",
    "xrevrange": "start stop",
    "xtrim": "max_len",
    "zadd": "score member",
    "zincrby": "increment member",
    "zinterstore": "key",
    "zrange": "stop",
    "zrank": "member",
    "zrem": "member",
    "zremrangebyrank": "start stop",
    "zrevrange": "stop",
    "zrevrank": "member",
    "zscore": "member",
    "zunionstore": "key",
    "migrate": "dest_db",            # round 4: redis-py's `destination_db`
}
for _m, _names in FLOW_RENAMED.items():
    _known, _anywhere = FLOW_KEYWORDS.get(_m, ("", ""))
    FLOW_KEYWORDS[_m] = ((_known + " " + _names).strip(), _anywhere)
# 1.x commands with an `encoding=` parameter (the tsv's column 2).
ENCODING_COMMANDS = set("""
blpop brpop brpoplpush bzpopmax bzpopmin command_getkeys georadius georadiusbymember get getrange
getset hget hgetall hkeys hmget hvals lindex lpop lrange mget rpop rpoplpush smembers spop
srandmember zpopmax zpopmin zrange zrangebylex zrangebyscore zrevrange zrevrangebylex
zrevrangebyscore
""".split())
# method -> fewest positional arguments of the 1.x form (redis-py refuses as many)
FLOW_POSITIONAL = {"zadd": 3, "mset": 2, "msetnx": 2, "hmset": 3, "geoadd": 4,
                   "blpop": 2, "brpop": 2, "bzpopmin": 2, "bzpopmax": 2,
                   "zinterstore": 3, "zunionstore": 3}
# 1.x's `*keys` forms: judged on known clients and transactions only (`blpop(keys, 5)` is
# redis-py's own form).
FLOW_POSITIONAL_KNOWN_ONLY = {"blpop", "brpop", "bzpopmin", "bzpopmax", "zinterstore",
                              "zunionstore"}
# Round 4: 1.x `sort(key, *get_patterns)`, `ping(message)`, `xpending(stream, group, start,
# stop, count)`: redis-py's `sort(name, start, num)`, `ping()`, `xpending(name, groupname)`.
FLOW_POSITIONAL.update({"sort": 2, "ping": 1, "xpending": 3})
FLOW_POSITIONAL_KNOWN_ONLY |= {"sort", "ping", "xpending"}
# 1.x `zrevrangebylex(key, min, max)`, redis-py `zrevrangebylex(name, max, min)`: two
# positional bounds swap (known clients and transactions only).
FLOW_POSITIONAL["zrevrangebylex"] = 3
FLOW_POSITIONAL_KNOWN_ONLY.add("zrevrangebylex")
# On a known client or transaction: a `*args` at or after this position is 1.x's flat pairs.
FLOW_STARRED_AFTER = {"zadd": 1, "mset": 0, "msetnx": 0, "hmset": 1}
# On a known client or transaction: parameters after the key that 1.x defaulted and redis-py
# requires (inspect.signature of both); a call giving fewer, and not by keyword, counts.
FLOW_REQUIRED = {
    "zrange": ["start", "end"], "zrangebyscore": ["min", "max"],
    "zrevrangebyscore": ["max", "min"], "zcount": ["min", "max"],
    "zremrangebyscore": ["min", "max"], "zrangebylex": ["min", "max"],
    "zlexcount": ["min", "max"], "zremrangebylex": ["min", "max"],
    "xgroup_setid": ["groupname", "id"],
    # Round 4: 1.x defaulted both lex bounds, and `keys=[]`/`args=[]` of eval/evalsha.
    "zrevrangebylex": ["max", "min"], "eval": ["numkeys"], "evalsha": ["numkeys"],
}
# Calls with one of these keywords are another rule's (RU105: `eval(script, keys=[...])`).
FLOW_REQUIRED_UNLESS = {"eval": {"keys", "args"}, "evalsha": {"keys", "args"}}
# Round 4: argument values 1.x converted before sending, redis-py sends as they are (aioredis
# 1.3.1 commands/generic.py, string.py, sorted_set.py): method -> [(1.x parameter, position
# (the key is 0), test)]; test "float", ("bytes", values sent unchanged), ("without", name,
# position). On known clients and transactions; one line per call (the method's name).
FLOW_ARGUMENTS = {
    "expire": [("timeout", 1, "float")], "expireat": [("timestamp", 1, "float")],
    "setex": [("seconds", 1, "float")],
    "bitpos": [("end", 3, ("without", "start", 2))],
}
for _m in ("zrangebylex", "zrevrangebylex", "zlexcount", "zremrangebylex"):
    FLOW_ARGUMENTS[_m] = [("min", 1, ("bytes", {b"-"})), ("max", 2, ("bytes", {b"+"}))]
# Functions returning a float (a call of one makes an argument a float).
FLOAT_CALLS = {"time.time", "time.monotonic", "time.perf_counter", "builtins.float"}
# Attributes of a 1.x `MultiExec`/`Pipeline` that redis.asyncio's `Pipeline` lacks or has as
# something else (`connection`: `None` until the pipeline runs).
TRANSACTION_ATTRS = {"_results", "connection"}
FACTORY_KINDS = {
    "aioredis.create_redis": "client", "aioredis.create_redis_pool": "client",
    "aioredis.commands.create_redis": "client", "aioredis.commands.create_redis_pool": "client",
    "aioredis.create_connection": "connection",
    "aioredis.connection.create_connection": "connection",
    "aioredis.create_pool": "pool", "aioredis.pool.create_pool": "pool",
    "aioredis.create_sentinel": "sentinel", "aioredis.sentinel.create_sentinel": "sentinel",
}
# Round 4: 1.x methods that send a command when called and return a future of its reply
# (`fut = conn.execute(...)` on a client, connection or pool): the future's API is counted.
SENT_BY = {"execute", "execute_pubsub"}
CHANNEL_ATTRS = {"get", "get_json", "wait_message", "iter", "is_active", "is_pattern", "name",
                 "put_nowait", "close"}
# Round 4: 1.x `Redis` properties that are mappings of `Channel`s (`redis.channels['ch']`).
CLIENT_CHANNEL_ATTRS = {"channels", "patterns"}
TYPE_KINDS = {
    "aioredis.Channel": "channel", "aioredis.pubsub.Channel": "channel",
    "aioredis.abc.AbcChannel": "channel",
    "aioredis.commands.Redis": "client", "aioredis.commands.ContextRedis": "client",
    "aioredis.RedisConnection": "client", "aioredis.connection.RedisConnection": "client",
    "aioredis.abc.AbcConnection": "client", "aioredis.ConnectionsPool": "pool",
    "aioredis.pool.ConnectionsPool": "pool", "aioredis.abc.AbcPool": "pool",
    "aioredis.RedisSentinel": "sentinel", "aioredis.sentinel.RedisSentinel": "sentinel",
}


def is_client(kind):
    """A 1.x `Redis` client or a `RedisConnection` (which the client tables judge too)."""
    return kind in ("client", "connection")


def value_parts(value, depth=0, awaited=False):
    """('call', parts, depth) / ('value', parts, depth) for each thing an assigned value may
    be; depth counts the subscripts (`x[0]`) taken of it. ('sent', parts, depth): a call of
    a SENT_BY method not awaited (round 4: `fut = conn.execute(...)`)."""
    if isinstance(value, ast.Await):
        return value_parts(value.value, depth, True)
    if isinstance(value, ast.IfExp):
        return value_parts(value.body, depth, awaited) + value_parts(value.orelse, depth, awaited)
    if isinstance(value, ast.BoolOp):
        return [p for v in value.values for p in value_parts(v, depth, awaited)]
    if isinstance(value, ast.Subscript):
        return value_parts(value.value, depth + 1)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and (
                func.attr == "run_until_complete"
                or (func.attr in ("run", "wait_for", "shield") and isinstance(func.value, ast.Name)
                    and func.value.id == "asyncio")):
            return value_parts(value.args[0], depth, True) if value.args else []
        parts = chain_parts(func)
        if parts and len(parts) > 1 and parts[-1] in SENT_BY and not awaited:
            return [("sent", parts, depth)]
        return [("call", parts, depth)] if parts else []
    parts = chain_parts(value)
    return [("value", parts, depth)] if parts else []


def argument_parts(arg):
    """value_parts of a call's argument, for names and attributes only (also awaited or
    subscripted): a call's result passed on (`f(g())`) is not followed."""
    node = arg
    while isinstance(node, (ast.Await, ast.Subscript)):
        node = node.value
    return value_parts(arg) if isinstance(node, (ast.Name, ast.Attribute)) else []


def annotation_dotted(ann):
    """Every dotted name written in an annotation, string annotations parsed."""
    out = []
    for sub in ast.walk(ann):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            try:
                out += annotation_dotted(ast.parse(sub.value.strip(), mode="eval"))
            except (SyntaxError, ValueError):
                pass
        elif isinstance(sub, (ast.Name, ast.Attribute)):
            parts = chain_parts(sub)
            if parts:
                out.append(parts)
    return out


def is_number(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def class_self_flows(tree):
    """{class name: [(target, source, depth)]} for the module-level classes: what their
    methods pass from `self`'s members to other members (see flow_uses, across files).
    Sources: ("f", method) / ("a", attr); targets also ("arg", method, index) and
    ("kw", method, name)."""
    out = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        flows = []
        for f in cls.body:
            if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) or not f.args.args:
                continue
            me = f.args.args[0].arg
            local = {}

            def member(value, me=me, local=local):
                found = []
                for what, parts, depth in value_parts(value):
                    if len(parts) == 2 and parts[0] == me:
                        found.append((("f" if what in ("call", "sent") else "a", parts[1]), depth))
                    elif what == "value" and len(parts) == 1 and parts[0] in local:
                        found += [(k, d + depth) for k, d in local[parts[0]]]
                return found

            for _ in range(2):                     # a name assigned from another one
                for node in ast.walk(f):
                    if (isinstance(node, ast.Assign) and len(node.targets) == 1
                            and isinstance(node.targets[0], ast.Name)):
                        local[node.targets[0].id] = member(node.value)
            for node in ast.walk(f):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == me):
                    for index, arg in enumerate(node.args):
                        if isinstance(arg, ast.Starred):
                            break
                        if argument_parts(arg):
                            flows += [(("arg", node.func.attr, index), k, d) for k, d in member(arg)]
                    for kw in node.keywords:
                        if kw.arg is not None and argument_parts(kw.value):
                            flows += [(("kw", node.func.attr, kw.arg), k, d)
                                      for k, d in member(kw.value)]
                elif isinstance(node, ast.Return) and node.value is not None:
                    flows += [(("f", f.name), k, d) for k, d in member(node.value)]
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        parts = chain_parts(target) if isinstance(target, ast.Attribute) else None
                        if parts and len(parts) == 2 and parts[0] == me:
                            flows += [(("a", parts[1]), k, d) for k, d in member(node.value)]
        out[cls.name] = [(t, k, d) for t, k, d in flows if d <= 1 and t != k]
    # A class's bases in the same file give it their flows too.
    bases = {c.name: [b.id for b in c.bases if isinstance(b, ast.Name)]
             for c in tree.body if isinstance(c, ast.ClassDef)}
    merged = {}
    for name in out:
        seen, stack, flows = set(), [name], []
        while stack:
            current = stack.pop()
            if current in seen or current not in out:
                continue
            seen.add(current)
            flows += out[current]
            stack += bases.get(current, [])
        merged[name] = flows
    return merged


def module_of(rel, root):
    """(module name, is a package) of a file: its folders up to the last one without an
    `__init__.py`."""
    parts = rel[: rel.rfind(".")].split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    folders = rel.split("/")[:-1]
    keep = 0
    while keep < len(folders) and os.path.isfile(
            os.path.join(root, *folders[: len(folders) - keep], "__init__.py")):
        keep += 1
    start = len(folders) - keep
    return ".".join(parts[start:]), is_package


def inherited_flows(tree, module, is_package, classes):
    """{class name of this file: self-flows of its bases defined in other files}, given
    `classes` = {module: class_self_flows(...)} of the tree."""
    names, stars, modules = {}, [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = module.split(".") if module else []
            if node.level:
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for a in node.names:
                if a.name == "*":
                    stars.append(source)
                else:
                    names[a.asname or a.name] = (source, a.name)
                    modules[a.asname or a.name] = f"{source}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    modules[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    modules.setdefault(top, top)
    out = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        flows = []
        for base in cls.bases:
            parts = chain_parts(base)
            if not parts:
                continue
            if len(parts) == 1:
                where = names.get(parts[0])
                if where and where[1] in classes.get(where[0], {}):
                    flows += classes[where[0]][where[1]]
                elif parts[0] not in names:
                    for star in stars:
                        flows += classes.get(star, {}).get(parts[0], [])
            elif parts[0] in modules:
                source = ".".join([modules[parts[0]]] + parts[1:-1])
                flows += classes.get(source, {}).get(parts[-1], [])
        if flows:
            out[cls.name] = flows
    return out


FIXTURE_DECORATORS = {("pytest", "fixture"), ("pytest", "yield_fixture"),
                      ("pytest_asyncio", "fixture")}


def fixture_defs(tree):
    """{name: def} of the module-level pytest fixtures."""
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                d = d.func if isinstance(d, ast.Call) else d
                parts = chain_parts(d) if isinstance(d, ast.Attribute) else None
                if parts and tuple(parts) in FIXTURE_DECORATORS:
                    out[node.name] = node
    return out


def injected_defs(tree, fixtures):
    """The functions whose parameters pytest fills: module-level `test*` functions and
    fixtures, `test*` methods of `Test*` classes (with how many leading parameters are
    not filled)."""
    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    out = [(n, 0) for n in tree.body
           if isinstance(n, funcs) and (n.name.startswith("test") or n.name in fixtures)]
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef) and cls.name.startswith("Test"):
            out += [(n, 1) for n in cls.body
                    if isinstance(n, funcs) and n.name.startswith("test")]
    return out


def injected_params(d, skip):
    return [a.arg for a in (d.args.posonlyargs + d.args.args)[skip:] + d.args.kwonlyargs]


def factory_alias_map(tree, aliases):
    """Names assigned a 1.x factory: `make = aioredis.create_pool`, or `factory =
    request.param` in a function decorated `@pytest.fixture(params=[...])` whose every
    param is one. File-wide, like the import aliases: name -> factory names."""
    def factories(expr):
        parts = chain_parts(expr)
        return {q for q in resolve(parts, aliases) if q in FACTORY_KINDS} if parts else set()
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            continue
        params = set()
        for d in getattr(node, "decorator_list", []):
            if (isinstance(d, ast.Call) and chain_parts(d.func) in (
                    ["pytest", "fixture"], ["pytest", "yield_fixture"], ["pytest_asyncio", "fixture"])):
                for kw in d.keywords:
                    if kw.arg == "params" and isinstance(kw.value, (ast.List, ast.Tuple)):
                        each = [factories(e) for e in kw.value.elts]
                        if each and all(each):
                            params = set().union(*each)
        body = node.body
        stack = list(body)
        while stack:                       # this function's own statements, not nested defs
            stmt = stack.pop()
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)):
                value = stmt.value
                if chain_parts(value) == ["request", "param"]:
                    got = params
                elif isinstance(value, (ast.Name, ast.Attribute)):
                    got = factories(value)
                else:
                    got = set()
                if got:
                    found.setdefault(stmt.targets[0].id, set()).update(got)
            stack.extend(ast.iter_child_nodes(stmt))
    return found


def flow_lines_in(tree, aliases, is_1x, inherited=None, above=None, values=None):
    """Lines of uses of aioredis 1.x objects (see flow_uses above). `above`: the fixtures
    of the conftest files above ({name: (kind, factory)}); `values`, when given, receives
    the file's own fixtures' values."""
    factory_aliases = factory_alias_map(tree, aliases)
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def enclosing(node, types):
        node = parents.get(node)
        while node is not None and not isinstance(node, types):
            node = parents.get(node)
        return node

    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    kinds = {}            # ("n", scope, name) / ("a", attr) / ("f", function) / ("c", class) -> kind

    # Names are per function: what each function binds (parameters, stores, imports), a
    # name being looked up in the innermost function that binds it (`global`: the module).
    bound, global_names = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.arg, ast.alias, ast.Global)) or isinstance(node, funcs):
            scope = enclosing(node, funcs + (ast.Lambda,))
            if isinstance(node, ast.Global):
                global_names.setdefault(scope, set()).update(node.names)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.setdefault(scope, set()).add(node.id)
            elif isinstance(node, ast.arg):
                bound.setdefault(enclosing(node, funcs + (ast.Lambda,)), set()).add(node.arg)
            elif isinstance(node, ast.alias):
                bound.setdefault(scope, set()).add((node.asname or node.name).split(".")[0])
            elif isinstance(node, funcs):
                bound.setdefault(scope, set()).add(node.name)

    def name_scope(node, name):
        scope = enclosing(node, funcs + (ast.Lambda,))
        while scope is not None:
            if name in global_names.get(scope, ()):
                return None
            if name in bound.get(scope, ()):
                return scope
            scope = enclosing(scope, funcs + (ast.Lambda,))
        return None

    def self_name(node):
        """The first parameter's name of the method `node` is in, else None."""
        func = enclosing(node, funcs + (ast.Lambda,))
        if (isinstance(func, funcs) and isinstance(parents.get(func), ast.ClassDef)
                and func.args.args and not any(
                    isinstance(d, ast.Name) and d.id == "staticmethod" for d in func.decorator_list)):
            return func.args.args[0].arg, parents[func]
        return None, None

    def key_of(node, parts):
        if len(parts) == 1:
            return ("n", name_scope(node, parts[0]), parts[0])
        if len(parts) == 2 and self_name(node)[0] == parts[0]:
            return ("a", parts[1])
        return None

    def kind_of(node, parts):
        key = key_of(node, parts)
        if key in kinds:
            return kinds[key]
        receiver, cls = self_name(node)
        if len(parts) == 1 and parts[0] == receiver and cls is not None and kinds.get(("c", cls.name)) == "client":
            return "client"
        return None

    def call_kind(node, parts):
        resolved = resolve(parts, aliases) or [
            ".".join([f] + parts[1:]) for f in sorted(factory_aliases.get(parts[0], ()))]
        for q in resolved:
            if q in FACTORY_KINDS:
                return FACTORY_KINDS[q]
            if is_1x and q == "aioredis.Redis":
                return "client"
            if q in TYPE_KINDS:
                return TYPE_KINDS[q]
        if resolved:
            return "other"
        receiver = kind_of(node, parts[:-1]) if len(parts) > 1 else None
        if is_client(receiver) and parts[-1] in ("multi_exec", "pipeline"):
            return "transaction"
        if receiver == "pool" and parts[-1] == "acquire":
            return "connection"
        if is_client(receiver) and parts[-1] in ("subscribe", "psubscribe"):
            return "channels"
        if receiver == "transaction" and parts[-1] != "execute":
            return "future"
        if receiver == "sentinel" and parts[-1] in ("master_for", "slave_for"):
            return "client"
        if is_client(receiver) and parts[-1] in REPLY_SHAPES:
            replies[key_being_set[0]] = command_of(node, parts)
            return "reply"
        if receiver is None and parts[-1] == "multi_exec" and is_1x and len(parts) > 1:
            return "transaction"
        # A command only Redis clients have, on an unknown receiver of a 1.x file.
        if (receiver is None and parts[-1] in REPLY_ANYWHERE and is_1x and len(parts) > 1
                and parts[-1] not in own_methods):
            replies[key_being_set[0]] = command_of(node, parts)
            return "reply"
        if len(parts) == 1:
            return kinds.get(("f", parts[0]))
        if len(parts) == 2 and self_name(node)[0] == parts[0]:
            return kinds.get(("f", parts[1]))
        return None

    def type_kind(ann):
        other = False
        for parts in annotation_dotted(ann):
            for q in resolve(parts, aliases):
                if q in TYPE_KINDS:
                    return TYPE_KINDS[q]
                if is_1x and q == "aioredis.Redis":
                    return "client"
                if not q.startswith(("redis", "aioredis", "typing.", "typing_extensions.")):
                    other = True
        return "other" if other else None

    def target_key(node, target):
        if isinstance(target, ast.Name):
            if isinstance(parents.get(node), ast.ClassDef):
                return ("a", target.id)
            return ("n", name_scope(node, target.id), target.id)
        parts = chain_parts(target)
        return key_of(node, parts) if parts and len(parts) == 2 else None

    defs = {}
    for node in ast.walk(tree):
        if isinstance(node, funcs):
            defs.setdefault(node.name, []).append(node)
    flows = []            # (key, node, what, payload)
    queued_keys = set()   # names unpacked from `tr.execute()` at a queued command's position
    # Per name, its bindings in source order: ((line, col) of the value, how): "call" with the
    # method, "copy" (`x = y`, `x = f()`), "part" (unpacked, iterated), "other" (`x = 5`). A
    # reply counts where the latest binding before the use gave it.
    name_bindings = {}

    def bind(node, target, value, how):
        key = target_key(node, target) if isinstance(target, ast.Name) else None
        if key and key[0] == "n":
            name_bindings.setdefault(key, []).append(((value.lineno, value.col_offset), how))

    def binding_of(value):
        inner = value.value if isinstance(value, ast.Await) else value
        if isinstance(inner, ast.Call):
            return ("call", inner.func.attr) if isinstance(inner.func, ast.Attribute) else "copy"
        if isinstance(inner, (ast.Name, ast.Attribute, ast.Subscript, ast.IfExp, ast.BoolOp)):
            return "copy"
        return "other"

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, (ast.Tuple, ast.List)):
                    for element in target.elts:
                        bind(node, element, node.value, "part")
                else:
                    bind(node, target, node.value, binding_of(node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            bind(node, node.target, node.value, binding_of(node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            bind(node, node.target, node.iter, "part")
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, (ast.Tuple, ast.List)):   # `a, = value`: elements
                    # `t1, ok, t2 = await tr.execute()`: the replies of the commands queued on
                    # `tr` (in source order, in the same function, since its last `execute()`).
                    value = node.value.value if isinstance(node.value, ast.Await) else node.value
                    executed = chain_parts(value.func) if isinstance(value, ast.Call) else None
                    if (executed and len(executed) > 1 and executed[-1] == "execute"
                            and not any(isinstance(e, ast.Starred) for e in target.elts)):
                        where = enclosing(node, funcs + (ast.Lambda,))
                        calls = sorted(
                            (c for c in ast.walk(where if where is not None else tree)
                             if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                             and chain_parts(c.func.value) == executed[:-1]
                             and enclosing(c, funcs + (ast.Lambda,)) is where
                             and (c.lineno, c.col_offset) < (value.lineno, value.col_offset)),
                            key=lambda c: (c.lineno, c.col_offset))
                        queued = []
                        for c in calls:
                            if c.func.attr == "execute":
                                queued = []
                                continue
                            count = None if any(isinstance(a, ast.Starred) for a in c.args) or any(
                                k.arg is None for k in c.keywords) else len(c.args) + len(c.keywords)
                            queued.append(c.func.attr + (f"({count})" if count else ""))
                        for index, element in enumerate(target.elts):
                            if index < len(queued):
                                queued_keys.add(target_key(node, element))
                                flows.append((target_key(node, element), node, "queued",
                                              (executed[:-1], queued[index])))
                    # `cursor, values = await redis.hscan(key)`: the reply's part at a position.
                    if not any(isinstance(e, ast.Starred) for e in target.elts) and not isinstance(
                            node.value, (ast.Tuple, ast.List)):
                        for index, element in enumerate(target.elts):
                            key = target_key(node, element)
                            for what, parts, depth in value_parts(node.value):
                                if what == "call" and depth == 0:
                                    flows.append((key, node, "reply_nth", (parts, depth, index)))
                    for element in target.elts:
                        key = target_key(node, element)
                        for what, parts, depth in value_parts(node.value):
                            flows.append((key, node, what, (parts, depth + 1)))
                    continue
                key = target_key(node, target)
                for what, parts, depth in value_parts(node.value):
                    flows.append((key, node, what, (parts, depth)))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            # `for info in await redis.client_list()`: an element of a reply.
            key = target_key(node, node.target) if isinstance(node.target, ast.Name) else None
            for what, parts, depth in value_parts(node.iter):
                flows.append((key, node, "reply_iter", (what, parts, depth)))
        elif isinstance(node, ast.AnnAssign):
            key = target_key(node, node.target)
            flows.append((key, node, "type", node.annotation))
            if node.value is not None:
                for what, parts, depth in value_parts(node.value):
                    flows.append((key, node, what, (parts, depth)))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is None:
                    continue
                key = target_key(node, item.optional_vars)
                ctx = item.context_expr
                if isinstance(node, ast.With) and isinstance(ctx, ast.Await):
                    parts = chain_parts(ctx.value)
                    if parts:
                        flows.append((key, node, "with_await", parts))
                elif isinstance(node, ast.AsyncWith) and isinstance(ctx, ast.Call):
                    parts = chain_parts(ctx.func)
                    if parts and len(parts) > 1 and parts[-1] in ("get", "acquire"):
                        flows.append((key, node, "pool_get", parts[:-1]))
        elif isinstance(node, funcs):
            cls = parents.get(node)
            is_property = any((isinstance(d, ast.Name) and d.id in ("property", "cached_property"))
                              or (isinstance(d, ast.Attribute) and d.attr == "cached_property")
                              for d in node.decorator_list)
            key = ("a", node.name) if isinstance(cls, ast.ClassDef) and is_property else ("f", node.name)
            if node.returns is not None:
                flows.append((key, node, "type", node.returns))
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                if arg.annotation is not None:
                    flows.append((("n", node, arg.arg), node, "type", arg.annotation))
        elif isinstance(node, ast.Return) and node.value is not None:
            func = enclosing(node, funcs + (ast.Lambda,))
            if isinstance(func, funcs):
                cls = parents.get(func)
                is_property = any(isinstance(d, ast.Name) and d.id in ("property", "cached_property")
                                  or (isinstance(d, ast.Attribute) and d.attr == "cached_property")
                                  for d in func.decorator_list)
                key = ("a", func.name) if isinstance(cls, ast.ClassDef) and is_property else ("f", func.name)
                for what, parts, depth in value_parts(node.value):
                    flows.append((key, node, what, (parts, depth)))
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                flows.append((("c", node.name), node, "type", base))
            # Self-flows inherited from a base class of another file.
            for target, source, depth in (inherited or {}).get(node.name, ()):
                if target[0] in ("arg", "kw"):
                    for d in node.body:
                        if not isinstance(d, funcs) or d.name != target[1]:
                            continue
                        params = [a.arg for a in d.args.posonlyargs + d.args.args][1:]
                        if target[0] == "arg" and target[2] < len(params):
                            param = params[target[2]]
                        elif target[0] == "kw" and target[2] in params + [
                                a.arg for a in d.args.kwonlyargs]:
                            param = target[2]
                        else:
                            continue
                        flows.append((("n", d, param), node, "member", (source, depth)))
                else:
                    flows.append((target, node, "member", (source, depth)))
        if isinstance(node, ast.Call):
            # Arguments of a call of the file's own function or `self.method`: into its parameters.
            func, method = node.func, False
            if isinstance(func, ast.Name):
                name = func.id
                # `func(..., _conn=conn)` in a decorator of the file whose first parameter is
                # `func`: the arguments reach the functions it decorates.
                owner = name_scope(node, name)
                if (isinstance(owner, funcs) and owner.args.args
                        and (owner.args.posonlyargs + owner.args.args)[0].arg == name):
                    for d in (f for fs in defs.values() for f in fs):
                        if any(isinstance(x, ast.Name) and x.id == owner.name
                               for x in d.decorator_list):
                            params = [a.arg for a in d.args.posonlyargs + d.args.args]
                            names = params + [a.arg for a in d.args.kwonlyargs]
                            pairs = []
                            for index, arg in enumerate(node.args):
                                if isinstance(arg, ast.Starred):
                                    break
                                if index < len(params):
                                    pairs.append((params[index], arg))
                            pairs += [(kw.arg, kw.value) for kw in node.keywords
                                      if kw.arg in names]
                            for param, arg in pairs:
                                for what, parts, depth in argument_parts(arg):
                                    flows.append((("n", d, param), node, what, (parts, depth)))
            elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == self_name(node)[0]):
                name, method = func.attr, True
            else:
                continue
            for d in defs.get(name, ()):
                if isinstance(parents.get(d), ast.ClassDef) != method:
                    continue
                if method and any(isinstance(x, ast.Name) and x.id == "staticmethod"
                                  for x in d.decorator_list):
                    continue
                params = [a.arg for a in d.args.posonlyargs + d.args.args][int(method):]
                names = params + [a.arg for a in d.args.kwonlyargs]
                pairs = []
                for index, arg in enumerate(node.args):
                    if isinstance(arg, ast.Starred):
                        break
                    if index < len(params):
                        pairs.append((params[index], arg))
                pairs += [(kw.arg, kw.value) for kw in node.keywords if kw.arg in names]
                for param, arg in pairs:
                    for what, parts, depth in argument_parts(arg):
                        flows.append((("n", d, param), node, what, (parts, depth)))

    # pytest fixtures: yields are values, factories, parameters filled by name.
    fixtures = fixture_defs(tree)
    factories = {}
    for name, fixture in fixtures.items():
        nested = {n.name: n for n in fixture.body if isinstance(n, funcs)}
        for node in ast.walk(fixture):
            if isinstance(node, (ast.Yield, ast.Return)) and node.value is not None \
                    and enclosing(node, funcs + (ast.Lambda,)) is fixture:
                if (isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
                        and node.value.id in nested):
                    factories[name] = nested[node.value.id]
                elif isinstance(node, ast.Yield):
                    for what, parts, depth in value_parts(node.value):
                        flows.append((("f", name), node, what, (parts, depth)))
    for name, g in factories.items():
        for node in ast.walk(g):
            if (isinstance(node, ast.Return) and node.value is not None
                    and enclosing(node, funcs + (ast.Lambda,)) is g):
                for what, parts, depth in value_parts(node.value):
                    flows.append((("f", name), node, what, (parts, depth)))
    for d, skip in injected_defs(tree, fixtures):
        for param in injected_params(d, skip):
            if param in fixtures:
                if fixtures[param] is not d:
                    flows.append((("n", d, param), d, "call", ([param], 0)))
            elif above and param in above:
                kind, factory = above[param]
                key = ("f", param) if factory else ("n", d, param)
                kinds.setdefault(key, kind)

    own_methods = {f.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                   for f in c.body if isinstance(f, funcs)}

    # Plain `name = value` stores, per (binding scope, name), in source order.
    stores = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            name = node.targets[0].id
            scope = name_scope(node.targets[0], name)
            stores.setdefault((scope, name), []).append(node)
    for found in stores.values():
        found.sort(key=lambda n: (n.lineno, n.col_offset))

    def is_float(node, at):
        """Whether `node` (evaluated at `at`) is a float: a float literal, a division,
        arithmetic with a float, a float function's call, a name last assigned one."""
        if isinstance(node, ast.Constant):
            return type(node.value) is float
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return is_float(node.operand, at)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return True
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Mod, ast.Pow, ast.FloorDiv)):
                return is_float(node.left, at) or is_float(node.right, at)
            return False
        if isinstance(node, ast.Call):
            parts = chain_parts(node.func)
            if not parts:
                return False
            if len(parts) == 1 and name_scope(node, parts[0]) is None \
                    and parts[0] not in bound.get(None, ()):
                return "builtins." + parts[0] in FLOAT_CALLS
            return bool(FLOAT_CALLS & set(resolve(parts, aliases)))
        if isinstance(node, ast.Name):
            key = (name_scope(node, node.id), node.id)
            before = [a for a in stores.get(key, ())
                      if (a.lineno, a.col_offset) < (at.lineno, at.col_offset)]
            return bool(before) and is_float(before[-1].value, before[-1])
        return False
    replies = {}          # key -> the 1.x command whose reply it holds
    key_being_set = [None]
    changed = True
    while changed:
        changed = False
        for key, node, what, payload in flows:
            if key is None or key in kinds:
                continue
            if what in ("value", "call", "sent"):
                parts, depth = payload
                key_being_set[0] = key
                kind = kind_of(node, parts) if what == "value" else call_kind(node, parts)
                if kind is None and what == "sent" and (
                        is_client(kind_of(node, parts[:-1])) or kind_of(node, parts[:-1]) == "pool"):
                    kind = "sent"
                if kind == "reply" and what == "value":
                    replies[key] = replies.get(key_of(node, parts))
                # `conn.pubsub_channels` on a 1.x connection: a mapping of channels.
                if (kind is None and what == "value" and len(parts) > 1
                        and parts[-1] in CONNECTION_ATTRS
                        and kind_of(node, parts[:-1]) == "connection"):
                    kind = "channels"
                if (kind is None and what == "value" and len(parts) > 1
                        and parts[-1] in CLIENT_CHANNEL_ATTRS
                        and is_client(kind_of(node, parts[:-1]))):
                    kind = "channels"
                # Round 4: `pool._pool`, the 1.x pool's deque of connections.
                if (kind is None and what == "value" and len(parts) > 1
                        and parts[-1] == "_pool" and kind_of(node, parts[:-1]) == "pool"):
                    kind = "connections"
                if kind == "reply" and depth:      # an element of a reply
                    base = replies.get(key)
                    if depth == 1 and base and "[" not in base:
                        replies[key] = base + "[]"
                    else:
                        replies.pop(key, None)
                for _ in range(depth):             # an element of a channel list
                    kind = {"channels": "channel", "connections": "connection",
                            "reply": "reply"}.get(kind)
            elif what == "queued":
                receiver, command = payload
                kind = ("reply" if kind_of(node, receiver) == "transaction"
                        and command.partition("(")[0] in REPLY_SHAPES else None)
                if kind:
                    replies[key] = command
            elif what in ("reply_nth", "reply_iter"):
                if what == "reply_nth":
                    (parts, depth, index), source = payload, "call"
                else:
                    source, parts, depth = payload
                key_being_set[0] = key
                kind = kind_of(node, parts) if source == "value" else call_kind(node, parts)
                base = (replies.get(key_of(node, parts)) if source == "value"
                        else replies.get(key)) if kind == "reply" else None
                if kind != "reply":
                    kind = None
                    replies.pop(key, None)
                elif depth == 0 and base and "[" not in base:
                    replies[key] = base + (f"[{index}]" if what == "reply_nth" else "[]")
                else:
                    replies.pop(key, None)
            elif what == "type":
                kind = type_kind(payload)
                if key[0] == "c" and kind == "other":
                    kind = None                    # another package's base class
                # A base class of this file that is a 1.x `Redis` subclass.
                if kind is None and key[0] == "c" and isinstance(payload, ast.Name):
                    kind = kinds.get(("c", payload.id))
            elif what == "member":
                source, depth = payload
                kind = kinds.get(source)
                for _ in range(depth):             # an element of a channel list
                    kind = "channel" if kind == "channels" else None
            elif what == "with_await":
                kind = kind_of(node, payload)
                kind = ("connection" if kind == "pool" else "client") if (
                    is_client(kind) or kind == "pool" or (kind is None and is_1x)) else None
            else:                                  # pool_get
                kind = "connection" if kind_of(node, payload) == "pool" else None
            if kind is not None:
                kinds[key] = kind
                changed = True

    if values is not None:
        for name in fixtures:
            kind = kinds.get(("f", name))
            if kind is not None and kind != "other":
                values[name] = (kind, name in factories)
    lines = []
    bound_names = {n.id for n in ast.walk(tree)
                   if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)} | {
        n.name for n in ast.walk(tree) if isinstance(n, funcs + (ast.ClassDef,))} | {
        (a.asname or a.name).split(".")[0] for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}

    def reply_at(node, parts, expr):
        """The reply the name `parts` holds at the use `expr`, if its latest binding gave it."""
        key = key_of(node, parts)
        reply = replies.get(key)
        if reply is None:
            return None
        here = (expr.lineno, expr.col_offset)
        before = [b for b in name_bindings.get(key, ()) if b[0] < here]
        if not before:
            return reply
        how = max(before, key=lambda b: b[0])[1]
        whole = "[" not in reply and key not in queued_keys
        if how == "copy":
            return reply
        if how == "part":
            return None if whole else reply
        if how == "other":
            return None
        return reply if whole and re.split(r"[(\[]", reply)[0] == how[1] else None

    def reply_command(node, o):
        """The 1.x command whose reply `o` is (a name holding it, or the awaited call)."""
        if (isinstance(o, ast.Await) and isinstance(o.value, ast.Call)
                and isinstance(o.value.func, ast.Attribute)):
            receiver = chain_parts(o.value.func.value)
            if receiver and is_client(kind_of(node, receiver)):
                return o.value.func.attr
            return None
        parts = chain_parts(o)
        if parts and kind_of(node, parts) == "reply":
            return reply_at(node, parts, o)
        return None

    def is_number(e):
        if isinstance(e, ast.UnaryOp):
            e = e.operand
        return isinstance(e, ast.Constant) and type(e.value) in (int, float, complex)

    def is_bytes(e):
        return isinstance(e, ast.Constant) and isinstance(e.value, bytes)

    def holds_bytes(e):
        return any(is_bytes(x) for x in e.elts) if isinstance(e, (ast.List, ast.Tuple)) else is_bytes(e)

    def bytes_keyed(e):
        if isinstance(e, ast.Dict):
            return any(k is not None and is_bytes(k) for k in e.keys)
        return isinstance(e, (ast.List, ast.Tuple)) and any(bytes_keyed(x) for x in e.elts)

    def is_flat(e):
        return (isinstance(e, ast.List) and bool(e.elts)
                and not any(isinstance(x, (ast.Tuple, ast.Starred)) for x in e.elts))

    def shape_lines(node):
        """Lines the round 4 reply shapes and printed forms count at `node`."""
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            ops = node.ops
            if all(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in ops):
                for i, o in enumerate(operands):
                    if not (isinstance(o, ast.Call) and isinstance(o.func, ast.Name)
                            and o.func.id in ("repr", "str") and len(o.args) == 1
                            and not o.keywords and o.func.id not in bound_names):
                        continue
                    parts = chain_parts(o.args[0])
                    kind = kind_of(node, parts) if parts else None
                    starts = PRINTED_STARTS.get("client" if is_client(kind) else kind)
                    if not starts:
                        continue
                    texts = [t for other in operands[:i] + operands[i + 1:]
                             for t in (other.elts if isinstance(other, (ast.Set, ast.List, ast.Tuple))
                                       else [other])]
                    if any(isinstance(t, ast.Constant) and isinstance(t.value, str)
                           and t.value.startswith(starts) for t in texts):
                        return [o.lineno]
            equality = all(isinstance(op, (ast.Eq, ast.NotEq)) for op in ops)
            ordering = any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in ops)
            identity = all(isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) for op in ops)
            for i, o in enumerate(operands):
                wrapped = (isinstance(o, ast.Call) and isinstance(o.func, ast.Name)
                           and o.func.id in ("sorted", "list") and len(o.args) == 1
                           and o.func.id not in bound_names)
                part = reply_part(reply_command(node, o.args[0] if wrapped else o))
                if part is None:
                    continue
                if part[2]:                        # unpacked from a "list" reply
                    if not wrapped and (equality or ordering):
                        return [o.lineno]
                    continue
                shape = part[1]
                if wrapped and shape != "pairs":
                    continue
                others = operands[:i] + operands[i + 1:]
                if ((shape == "pairs" and equality and any(isinstance(x, ast.List) for x in others))
                        or (shape == "number" and ordering and any(map(is_number, others)))
                        or (shape == "decoded" and equality and any(map(holds_bytes, others)))
                        or (shape == "bytes_keys" and equality and any(map(bytes_keyed, others)))
                        or (shape == "flat" and equality and any(map(is_flat, others)))
                        or (shape == "true" and identity and any(
                            isinstance(x, ast.Constant) and x.value is True for x in others))):
                    return [o.lineno]
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC)
              # `"at %s" % t` formats a string: no arithmetic.
              and not (isinstance(node.op, ast.Mod) and (
                  isinstance(node.left, ast.JoinedStr) or (
                      isinstance(node.left, ast.Constant)
                      and isinstance(node.left.value, (str, bytes)))))):
            for o in (node.left, node.right):
                part = reply_part(reply_command(node, o))
                if part and (part[2] or part[1] == "number"):
                    return [o.lineno]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "isinstance" and "isinstance" not in bound_names
              and len(node.args) == 2 and not node.keywords):
            part = reply_part(reply_command(node, node.args[0]))
            shape = part[1] if part and not part[2] else None
            classes = node.args[1]
            names = {e.id for e in (classes.elts if isinstance(classes, ast.Tuple) else [classes])
                     if isinstance(e, ast.Name)} if isinstance(classes, (ast.Tuple, ast.Name)) else set()
            if (shape == "number" and names & {"float", "int"}) or (shape == "list" and "list" in names):
                return [node.args[0].lineno]
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
              and isinstance(node.slice, ast.Constant)
              and type(node.slice.value) in (int, float, complex)):
            parts = chain_parts(node.value)
            part = reply_part(reply_at(node, parts, node.value)) if parts and kind_of(
                node, parts) == "reply" else None
            if part and not part[2] and part[1] == "list":
                return [node.value.lineno]
        return []

    # `name = <1.x client>.pipeline()`: not a transaction in 1.x, one in redis-py; counted
    # unless a command queued on `name` has its result used (a future: counted where used).
    queued_used = {node.func.value.id for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and isinstance(node.func.value, ast.Name) and node.func.attr != "execute"
                   and not isinstance(parents.get(node), ast.Expr)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "pipeline"
                and not node.value.args and not node.value.keywords
                and node.targets[0].id not in queued_used):
            parts = chain_parts(node.value.func.value)
            if parts and is_client(kind_of(node, parts)):
                lines.append(node.value.func.end_lineno)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            parts = chain_parts(node.value)
            kind = kind_of(node, parts) if parts else None
            part = reply_part(reply_at(node, parts, node.value)) if kind == "reply" else None
            shape = part[1] if part and not part[2] else None
            call = parents.get(node)
            holder = parents.get(call) if isinstance(call, ast.Call) and call.func is node else None
            if isinstance(holder, ast.Await):
                holder = parents.get(holder)
            dropped = isinstance(holder, ast.Expr)
            if (is_client(kind) and node.attr in CLIENT_ONLY_ATTRS
                    and not (dropped and node.attr in WHEN_USED_ATTRS)) or (
                    kind == "connection" and node.attr in CONNECTION_ATTRS) or (
                    kind == "pool" and node.attr in POOL_ONLY_ATTRS) or (
                    kind == "channel" and node.attr in CHANNEL_ATTRS) or (
                    kind == "sentinel" and node.attr in SENTINEL_ONLY_ATTRS) or (
                    kind == "transaction" and node.attr in TRANSACTION_ATTRS) or (
                    shape == "namedtuple" and node.attr not in ("count", "index")) or (
                    shape == "dict" and node.attr in DICT_METHODS) or (
                    kind in ("future", "sent")) or (
                    kind is None and is_1x and node.attr in ANYWHERE_ATTRS
                    and node.attr not in own_methods):
                lines.append(node.end_lineno)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            parts = chain_parts(node.value)
            kind = kind_of(node, parts) if parts else None
            index = node.slice
            part = reply_part(reply_at(node, parts, node.value)) if kind == "reply" else None
            if (part and not part[2] and part[1] == "dict"
                    and not isinstance(index, ast.Slice)
                    and not (isinstance(index, ast.Constant)
                             and type(index.value) in (int, float, complex))):
                lines.append(node.lineno)
        elif isinstance(node, ast.Compare) and all(
                isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            operands = [node.left, *node.comparators]
            texts = set()
            for o in operands:
                if isinstance(o, ast.Constant) and isinstance(o.value, str):
                    texts.add(o.value)
                elif isinstance(o, ast.Constant) and isinstance(o.value, bytes):
                    try:
                        texts.add(o.value.decode())
                    except UnicodeDecodeError:
                        pass
            has_dict = any(isinstance(o, ast.Dict) for o in operands)
            has_list = any(isinstance(o, ast.List) for o in operands)
            for o in operands:
                command = None
                if (isinstance(o, ast.Await) and isinstance(o.value, ast.Call)
                        and isinstance(o.value.func, ast.Attribute)):
                    receiver = chain_parts(o.value.func.value)
                    if receiver and is_client(kind_of(node, receiver)):
                        command = o.value.func.attr
                else:
                    parts = chain_parts(o)
                    if parts and kind_of(node, parts) == "reply":
                        command = reply_at(node, parts, o)
                part = reply_part(command)
                shape = part[1] if part and not part[2] else None
                if (shape == "dict" and has_dict) or (shape in ("tuple", "set") and has_list) or (
                        shape == "literal" and texts & REPLY_WAS.get(command, set())):
                    lines.append(o.lineno)
                    break
        elif isinstance(node, ast.Await):
            parts = chain_parts(node.value)
            if parts and kind_of(node, parts) == "future":
                lines.append(node.lineno)
            # Round 4: `await tr.incr(...)`, a command queued on a 1.x transaction awaited at
            # once (redis-py's returns the pipeline); not execute(), nor watch/unwatch.
            call = node.value
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr not in ("execute", "watch", "unwatch")):
                receiver = chain_parts(call.func.value)
                if receiver and kind_of(node, receiver) == "transaction":
                    lines.append(node.lineno)
        # Round 4: `str(chan)`/`repr(chan)` of a 1.x Channel (1.x's repr; no Channel in redis-py).
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("str", "repr") and len(node.args) == 1 and not node.keywords
                and name_scope(node, node.func.id) is None
                and node.func.id not in bound.get(None, ())):
            parts = chain_parts(node.args[0])
            if parts and kind_of(node, parts) == "channel":
                lines.append(node.lineno)
        if isinstance(node, ast.Call):
            func_parts = chain_parts(node.func)
            if func_parts and AWAITING & set(resolve(func_parts, aliases)) and any(
                    chain_parts(a.value if isinstance(a, ast.Starred) else a)
                    and kind_of(node, chain_parts(a.value if isinstance(a, ast.Starred) else a))
                    == "future" for a in node.args):
                lines.append(node.lineno)
        lines += shape_lines(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            parts = chain_parts(node.func.value)
            kind = kind_of(node, parts) if parts else None
            if kind in ("pool", "other", "channels", "channel", "sentinel", "future", "reply",
                        "connections", "sent"):
                continue
            known = is_client(kind) or kind == "transaction"
            if not known and (not is_1x or method in own_methods):
                continue
            known_kw, anywhere_kw = (set(x.split()) for x in FLOW_KEYWORDS.get(method, ("", "")))
            for kw in node.keywords:
                if kw.arg is None:
                    continue
                if known:
                    hit = kw.arg in known_kw or (kw.arg == "encoding" and method != "bitfield_ro")
                else:
                    hit = kw.arg in anywhere_kw or (kw.arg == "encoding" and method in ENCODING_COMMANDS)
                if hit:
                    lines.append(kw.lineno)
            required = FLOW_REQUIRED.get(method)
            if (known and required and node.args
                    and not any(isinstance(a, ast.Starred) for a in node.args)
                    and not any(kw.arg is None or kw.arg in FLOW_REQUIRED_UNLESS.get(method, ())
                                for kw in node.keywords)):
                named = {kw.arg for kw in node.keywords}
                if any(p not in named for p in required[len(node.args) - 1:]):
                    lines.append(node.func.end_lineno)
            arguments = FLOW_ARGUMENTS.get(method)
            if known and arguments and not any(kw.arg is None for kw in node.keywords):
                first_starred = next((i for i, a in enumerate(node.args)
                                      if isinstance(a, ast.Starred)), None)

                def given(name, position):
                    if (first_starred is None or position < first_starred) \
                            and position < len(node.args):
                        return node.args[position]
                    return next((kw.value for kw in node.keywords if kw.arg == name), None)
                for name, position, test in arguments:
                    value = given(name, position)
                    if value is None:
                        continue
                    if test == "float":
                        hit = is_float(value, node)
                    elif test[0] == "bytes":
                        hit = (isinstance(value, ast.Constant) and isinstance(value.value, bytes)
                               and value.value not in test[1])
                    else:
                        hit = first_starred is None and given(test[1], test[2]) is None
                    if hit:
                        lines.append(node.func.end_lineno)
                        break
            least = FLOW_POSITIONAL.get(method)
            count = sum(not isinstance(a, ast.Starred) for a in node.args)
            first_starred = next((i for i, a in enumerate(node.args)
                                  if isinstance(a, ast.Starred)), None)
            after = FLOW_STARRED_AFTER.get(method)
            if known and after is not None and first_starred is not None and first_starred >= after:
                lines.append(node.func.end_lineno)
            elif least and count >= least and (known or (
                    method not in FLOW_POSITIONAL_KNOWN_ONLY
                    and (method != "zadd" or is_number(node.args[1])))):
                lines.append(node.func.end_lineno)
        elif isinstance(node, ast.With):
            for item in node.items:
                if not isinstance(item.context_expr, ast.Await):
                    continue
                parts = chain_parts(item.context_expr.value)
                kind = kind_of(node, parts) if parts else None
                if is_client(kind) or kind == "pool" or (is_1x and item.optional_vars is not None):
                    lines.append(item.context_expr.lineno)
    return lines


def imports_legacy(tree):
    """Whether an import statement names a 1.x-only name (`from aioredis import create_pool`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(is_legacy(a.name) for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if any(is_legacy(f"{node.module}.{a.name}") or is_legacy(node.module)
                   for a in node.names):
                return True
    return False


def parse(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # e.g. invalid escape sequence warnings
        return ast.parse(data)                     # bytes: honours PEP 263 coding cookies


def census_file(data, inherited=None, tree=None, above=None, values=None, test_module=False):
    """Census of one file's bytes. Returns a result dict, or raises on parse failure."""
    tree = tree if tree is not None else parse(data)
    aliases = build_alias_map(tree)
    import_lines, dynamic_lines = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(is_aioredis(a.name) for a in node.names):
                import_lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and is_aioredis(node.module):
                import_lines.append(node.lineno)
        elif isinstance(node, ast.Call) and is_dynamic_import(node, aliases):
            dynamic_lines.append(node.lineno)
        elif isinstance(node, ast.Call) and string_target_line(node) is not None:
            dynamic_lines.append(string_target_line(node))
        elif isinstance(node, ast.Subscript) and is_sys_modules_key(node):
            dynamic_lines.append(node.lineno)
    module_lines = legacy_lines_in(tree, aliases)
    is_1x = bool(module_lines) or imports_legacy(tree)
    # A parameter filled with a conftest's 1.x fixture makes the file 1.x.
    own = fixture_defs(tree)
    uses_above = bool(above) and any(
        p in above and p not in own
        for d, skip in injected_defs(tree, own) for p in injected_params(d, skip))
    is_1x = is_1x or uses_above
    # Without an aioredis import nothing can name a 1.x object (saves the walks).
    imports_aioredis = any(is_aioredis(t) for ts in aliases.values() for t in ts)
    client_lines = (flow_lines_in(tree, aliases, is_1x, inherited, above, values)
                    if imports_aioredis or (test_module and uses_above) else [])
    legacy_lines = module_lines + client_lines
    return {
        "imports": len(import_lines),
        "dynamic": len(dynamic_lines),
        "legacy_uses": len(legacy_lines),
        "text_mentions": sum(b"aioredis" in line for line in data.split(b"\n")),
        "import_lines": sorted(import_lines),
        "dynamic_lines": sorted(dynamic_lines),
        "legacy_lines": sorted(legacy_lines),
        "client_uses": len(client_lines),
        "client_lines": sorted(client_lines),
    }


COUNTS = ("imports", "dynamic", "legacy_uses", "text_mentions")


def census_tree(root):
    """Walk root for *.py / *.pyi. Returns (files dict sorted by path, totals, unparsable)."""
    files, unparsable, parsed = {}, [], {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            if not name.endswith((".py", ".pyi")):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, "rb") as f:
                data = f.read()
            try:
                parsed[rel] = (data, parse(data))
            except (SyntaxError, ValueError, RecursionError) as exc:
                unparsable.append(rel)
                print(f"unparsable: {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
    # The one cross-file step: classes' self-flows, by module name (first file wins).
    classes, modules = {}, {}
    for rel, (data, tree) in parsed.items():
        modules[rel] = module_of(rel, root)
        classes.setdefault(modules[rel][0], class_self_flows(tree))
    # conftest.py files first, parents before children: their fixtures' values.
    conftests = {}                                  # folder -> {name: (kind, factory)}

    def above(rel):
        folders = rel.split("/")[:-1]
        merged = {}
        own = rel.endswith("/conftest.py") or rel == "conftest.py"
        for n in range(len(folders), -1, -1):
            folder = "/".join(folders[:n])
            if own and n == len(folders):
                continue
            for name, value in conftests.get(folder, {}).items():
                merged.setdefault(name, value)
        return merged

    order = sorted(parsed, key=lambda rel: (rel.count("/"), rel))
    for rel in [r for r in order if r.split("/")[-1] == "conftest.py"]:
        data, tree = parsed[rel]
        values = {}
        try:
            files[rel] = census_file(data, inherited_flows(tree, *modules[rel], classes), tree,
                                     above(rel), values, True)
        except RecursionError as exc:
            unparsable.append(rel)
            print(f"unparsable: {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
        conftests["/".join(rel.split("/")[:-1])] = values
    for rel, (data, tree) in parsed.items():
        if rel in files:
            continue
        name = rel.split("/")[-1]
        test_module = name.endswith(".py") and (name.startswith("test_")
                                                or name.endswith("_test.py"))
        try:
            inherited = inherited_flows(tree, *modules[rel], classes)
            files[rel] = census_file(data, inherited, tree, above(rel), None, test_module)
        except RecursionError as exc:
            unparsable.append(rel)
            print(f"unparsable: {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
    files = dict(sorted(files.items()))
    unparsable = sorted(set(unparsable))
    totals = {k: sum(r[k] for r in files.values()) for k in COUNTS}
    totals["files"] = len(files)
    totals["unparsable"] = len(unparsable)
    return files, totals, sorted(unparsable)


def print_table(files, totals, unparsable, show_all):
    """Human table: one row per file with any hit (or every file with --all), then totals."""
    rows = [(p, r) for p, r in files.items() if show_all or any(r[k] for k in COUNTS)]
    width = max([len(p) for p, _ in rows] + [len("TOTAL")])
    head = f"{'path':<{width}}  {'imports':>7}  {'dynamic':>7}  {'legacy':>7}  {'text':>7}"
    print(head)
    print("-" * len(head))
    for path, r in rows:
        print(f"{path:<{width}}  " + "  ".join(f"{r[k]:>7}" for k in COUNTS))
    print("-" * len(head))
    print(f"{'TOTAL':<{width}}  " + "  ".join(f"{totals[k]:>7}" for k in COUNTS))
    print(f"{totals['files']} files parsed, {len(unparsable)} unparsable"
          + (": " + ", ".join(unparsable) if unparsable else ""))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", help="directory to scan for *.py and *.pyi files")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--all", action="store_true", help="table: also list files with no hits")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.root):
        ap.error(f"not a directory: {args.root}")
    files, totals, unparsable = census_tree(args.root)
    if args.json:
        json.dump({"files": files, "totals": totals, "unparsable": unparsable},
                  sys.stdout, indent=1, sort_keys=False)
        print()
    else:
        print_table(files, totals, unparsable, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
