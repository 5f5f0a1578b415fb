#!/usr/bin/env python3
"""Times commands interleaved, with hyperfine.

    bench/interleave.py OUT.json ROUNDS NAME COMMAND [NAME COMMAND ...]

hyperfine runs every run of one command before the next, so on a shared
machine a noisy minute lands on one command and skews the ratios. Here each
round runs every command once (`hyperfine -N --runs 1`: hyperfine's timing,
no shell), in an order rotated from round to round, after one discarded
warm-up round. OUT.json has hyperfine's shape: results with command, median
and times.
"""

import json
import statistics
import subprocess
import sys
import tempfile


def one_round(pairs):
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        arguments = ["hyperfine", "-N", "--runs", "1", "--export-json", export.name]
        for name, command in pairs:
            arguments += ["-n", name, command]
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(export.name) as f:
            return {r["command"]: r["times"][0] for r in json.load(f)["results"]}


def main():
    out, rounds, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if len(rest) < 2 or len(rest) % 2:
        sys.exit(__doc__)
    pairs = list(zip(rest[::2], rest[1::2]))
    one_round(pairs)  # warm-up: page cache, binaries
    times = {name: [] for name, _ in pairs}
    for round_number in range(rounds):
        shift = round_number % len(pairs)
        for name, seconds in one_round(pairs[shift:] + pairs[:shift]).items():
            times[name].append(seconds)
    results = [
        {"command": name, "median": statistics.median(times[name]), "times": times[name]}
        for name, _ in pairs
    ]
    with open(out, "w") as f:
        json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
