#!/usr/bin/env python3
"""Check fixed Python files against the real redis-py: every `redis...` import
resolves, and every attribute reached through a name bound to a redis module or
name exists.

    python scripts/check_redis_names.py FILE...      # exit 1 when something is missing

Run it with the Python of an environment where the `redis` package under test is
installed (never `aioredis`). Standard library only otherwise. The check is
static: it imports redis modules and looks attributes up, it never runs the
checked files.

Binding is flow-insensitive, as in redis-unify: every import of a file binds its
name for the whole file. Each file is checked in a fresh interpreter: its own
imports run first (loading the submodules they name, as at run time), then every
attribute chain is looked up with plain `getattr`, as Python would, while the
object is a module or a class; past an instance or a function it is not checked.
"""
import ast
import importlib
import inspect
import json
import subprocess
import sys


def redis_bindings(tree):
    """name -> dotted redis target, for every import of a redis module or name."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "redis" or alias.name.startswith("redis."):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[alias.name.split(".")[0]] = "redis"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "redis" or node.module.startswith("redis."):
                for alias in node.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def import_target(dotted):
    """Runs an import of a dotted redis name as the import statement would."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        if inspect.ismodule(obj):
            # `from redis.asyncio import lock` or `import redis.asyncio.lock` loads a submodule.
            obj = importlib.import_module(".".join(parts[: index + 1]))
            continue
        raise AttributeError(f"{'.'.join(parts[:index])} has no attribute {part!r}")
    return obj


def chains(tree):
    """(root name, [attrs], line) for every outermost Name/Attribute chain in code."""
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        if isinstance(parents.get(node), ast.Attribute):
            continue  # part of a longer chain
        attrs = []
        current = node
        while isinstance(current, ast.Attribute):
            attrs.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load):
            yield current.id, list(reversed(attrs)), node.lineno


def check_file(path):
    problems = []
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), filename=path)
    bound = redis_bindings(tree)
    objects = {}
    for name, target in sorted(bound.items()):
        try:
            objects[name] = import_target(target)
        except (ImportError, AttributeError) as error:
            problems.append(f"import of {target} (as {name}): {error}")
    for root, attrs, line in chains(tree):
        if root not in objects or not attrs:
            continue
        obj = objects[root]
        walked = bound[root]
        for attr in attrs:
            if not (inspect.ismodule(obj) or inspect.isclass(obj)):
                break
            walked = f"{walked}.{attr}"
            if not hasattr(obj, attr):
                problems.append(f"line {line}: {root}.{'.'.join(attrs)}: {walked} does not exist")
                break
            obj = getattr(obj, attr)
    return problems


def main(argv):
    if argv[:1] == ["--single"]:
        json.dump(check_file(argv[1]), sys.stdout)
        return 0
    import redis

    report = {"redis": redis.__version__, "files": {}}
    failed = False
    for path in argv:
        # A fresh interpreter per file: modules another file imported must not
        # make this file's attribute look-ups succeed.
        output = subprocess.run(
            [sys.executable, __file__, "--single", path],
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode != 0:
            problems = [f"checker failed: {output.stderr.strip()}"]
        else:
            problems = json.loads(output.stdout)
        report["files"][path] = problems
        failed = failed or bool(problems)
    json.dump(report, sys.stdout, indent=2)
    print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
