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
  client_uses  on a name or `self.<attr>` assigned (anywhere in the file) from a call of
               aioredis 1.x `create_redis`/`create_redis_pool` (under `await`,
               `<loop>.run_until_complete(...)`, `asyncio.run(...)`, `a if c else b`,
               `a or b`): each Load of one of its 1.x-only attributes (`.multi_exec`,
               `.subscribe`, `.closed`, ...; the line of the attribute name), and each
               1.x-only keyword of a call of its methods (`set(expire=)`, `get(encoding=)`;
               the keyword's line). Also counted in legacy_uses / legacy_lines.

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
CLIENT_FACTORIES = {
    "aioredis.create_redis", "aioredis.create_redis_pool",
    "aioredis.commands.create_redis", "aioredis.commands.create_redis_pool",
}
CLIENT_ONLY_ATTRS = set("""
address bitop_and bitop_not bitop_or bitop_xor channels closed cluster_add_slots
cluster_count_failure_reports cluster_count_key_in_slots cluster_del_slots cluster_failover
cluster_forget cluster_get_keys_in_slots cluster_info cluster_keyslot cluster_meet cluster_nodes
cluster_replicate cluster_reset cluster_save_config cluster_set_config_epoch cluster_setslot
cluster_slaves cluster_slots connection db debug_sleep encoding execute hmset_dict ihscan in_pubsub
in_transaction iscan isscan izscan migrate_keys multi_exec object_encoding object_idletime
object_refcount patterns psubscribe publish_json punsubscribe subscribe unsubscribe wait_closed
xinfo xinfo_help xread_group
""".split())
# (method, keyword) pairs the 1.x client takes and redis.asyncio does not; `*`: any method
# but redis-py's `bitfield_ro`, whose `encoding` parameter is a bitfield type.
CLIENT_ONLY_KEYWORDS = {("set", "expire"), ("set", "pexpire"), ("set", "exist"), ("*", "encoding")}

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


def constructed_calls(value):
    """The calls an assigned value may be the result of (see client_uses above)."""
    if isinstance(value, ast.Await):
        return constructed_calls(value.value)
    if isinstance(value, ast.IfExp):
        return constructed_calls(value.body) + constructed_calls(value.orelse)
    if isinstance(value, ast.BoolOp):
        return [c for v in value.values for c in constructed_calls(v)]
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and (
                func.attr == "run_until_complete"
                or (func.attr == "run" and isinstance(func.value, ast.Name)
                    and func.value.id == "asyncio")):
            return constructed_calls(value.args[0]) if value.args else []
        return [value]
    return []


def client_lines_in(tree, aliases):
    """Lines of 1.x-only attributes and keywords used on names holding a 1.x client."""
    names, attrs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not any((parts := chain_parts(c.func)) and
                   any(q in CLIENT_FACTORIES for q in resolve(parts, aliases))
                   for c in constructed_calls(value)):
            continue
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
              and target.value.id == "self"):
            attrs.add(target.attr)

    def holds_client(node):
        if isinstance(node, ast.Name):
            return node.id in names
        return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "self" and node.attr in attrs)

    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                and node.attr in CLIENT_ONLY_ATTRS and holds_client(node.value)):
            lines.append(node.end_lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and holds_client(node.func.value)):
            method = node.func.attr
            for kw in node.keywords:
                if kw.arg is None:
                    continue
                if (method, kw.arg) in CLIENT_ONLY_KEYWORDS or (
                        ("*", kw.arg) in CLIENT_ONLY_KEYWORDS and method != "bitfield_ro"):
                    lines.append(kw.lineno)
    return lines


def census_file(data):
    """Census of one file's bytes. Returns a result dict, or raises on parse failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # e.g. invalid escape sequence warnings
        tree = ast.parse(data)                     # bytes: honours PEP 263 coding cookies
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
    client_lines = client_lines_in(tree, aliases)
    legacy_lines = legacy_lines_in(tree, aliases) + client_lines
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
    files, unparsable = {}, []
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
                files[rel] = census_file(data)
            except (SyntaxError, ValueError, RecursionError) as exc:
                unparsable.append(rel)
                print(f"unparsable: {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
    files = dict(sorted(files.items()))
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
