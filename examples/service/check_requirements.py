"""The install check of the migration's phase 0, without a network.

`redis-unify fix --phase 0 --verify "python check_requirements.py"` runs it
after rewriting the manifests: every line of requirements.txt and every
dependency of pyproject.toml must still parse, none may require aioredis,
and the redis-py installed here must satisfy each `redis` requirement (which
the migrated code needs: `redis.asyncio`, `aclose()`).
"""
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).parent


def requirements() -> list[str]:
    lines = []
    for line in (HERE / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    project = tomllib.loads((HERE / "pyproject.toml").read_text())["project"]
    lines.extend(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    return lines


def main() -> int:
    installed = version("redis")
    problems = []
    for text in requirements():
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name == "aioredis":
            problems.append(f"{text}: aioredis is archived and fails on Python 3.11")
        elif name == "redis" and not requirement.specifier.contains(installed):
            problems.append(f"{text}: the installed redis {installed} does not satisfy it")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
