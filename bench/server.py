#!/usr/bin/env python3
"""Measures `redis-unify server` on a corpus (default: the dev corpus).

    python3 bench/server.py [CORPUS_DIR] [BINARY]

Opens every Python file and manifest of the corpus in one server (as an editor
with the whole project open would), then, ROUNDS times, changes the largest
Python file (the whole text, as a full-sync client sends it) and times from
writing the didChange notification to reading the publishDiagnostics of that
version. Prints the medians, and the server's memory (VmRSS, VmHWM from
/proc) after opening everything and after the rounds. Measured, never asserted.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target/dev-corpus").resolve()
BINARY = str(Path(sys.argv[2]).resolve()) if len(sys.argv) > 2 else str(ROOT / "target/release/redis-unify")
ROUNDS = int(os.environ.get("ROUNDS", "50"))
MANIFESTS = {"pyproject.toml", "setup.cfg", "setup.py", "Pipfile"}


class Client:
    def __init__(self):
        self.proc = subprocess.Popen(
            [BINARY, "server"], cwd=CORPUS, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.next_id = 0

    def send(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def wait_diagnostics(self, uris_versions):
        """Reads until each (uri, version) has had its diagnostics."""
        waiting = set(uris_versions)
        while waiting:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                waiting.discard((params["uri"], params.get("version")))

    def memory(self):
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {k: fields[k].strip() for k in ("VmRSS", "VmHWM")}


def main():
    files = sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file()
        and (p.suffix in (".py", ".pyi") or p.name in MANIFESTS or p.name.startswith("requirements"))
    )
    largest = max((p for p in files if p.suffix == ".py"), key=lambda p: p.stat().st_size)
    client = Client()
    client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": CORPUS.as_uri(),
            "workspaceFolders": [{"uri": CORPUS.as_uri(), "name": "corpus"}],
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
        },
    )
    client.notify("initialized", {})
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in files}
    started = time.perf_counter()
    for path, text in texts.items():
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}},
        )
    client.wait_diagnostics({(p.as_uri(), 1) for p in files})
    opened = time.perf_counter() - started
    after_open = client.memory()

    uri = largest.as_uri()
    original = texts[largest]
    timings = []
    for version in range(2, ROUNDS + 2):
        text = original if version % 2 else original + f"\n# edit {version}\n"
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        client.wait_diagnostics({(uri, version)})
        timings.append(time.perf_counter() - sent)
    after_rounds = client.memory()

    # A generated 25 MB buffer (as tests/server.rs), opened then changed once.
    big = "import aioredis\n" + "value = compute(alpha, beta, gamma) + [1, 2, 3]  # a comment é\n" * 420_000
    big_uri = (CORPUS / "generated_25mb.py").as_uri()
    sent = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": big_uri, "languageId": "python", "version": 1, "text": big}},
    )
    client.wait_diagnostics({(big_uri, 1)})
    big_open = time.perf_counter() - sent
    sent = time.perf_counter()
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": big_uri, "version": 2}, "contentChanges": [{"text": big + "x = 1\n"}]},
    )
    client.wait_diagnostics({(big_uri, 2)})
    big_change = time.perf_counter() - sent
    after_big = client.memory()
    client.notify("textDocument/didClose", {"textDocument": {"uri": big_uri}})
    # Two round trips: the second request is read after the close's batch
    # (and the memory handed back after it) is done.
    probe = {"textDocument": {"uri": big_uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}
    client.request("textDocument/codeAction", probe)
    client.request("textDocument/codeAction", probe)
    after_close = client.memory()
    client.request("shutdown", None)
    client.notify("exit", None)
    client.proc.wait()

    timings.sort()
    print(f"corpus: {CORPUS} ({len(files)} files, {sum(len(t) for t in texts.values()) / 1e6:.2f} MB)")
    print(f"open all and receive their diagnostics: {opened * 1000:.0f} ms")
    print(f"memory after opening all: {after_open}")
    print(
        f"change -> diagnostics, {largest.relative_to(CORPUS)} ({len(original) / 1e3:.0f} kB), "
        f"{ROUNDS} rounds: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1] * 1000:.1f} ms, min {timings[0] * 1000:.1f} ms"
    )
    print(f"memory after the rounds: {after_rounds}")
    print(
        f"a generated {len(big.encode()) / 1e6:.1f} MB buffer: open -> diagnostics {big_open * 1000:.0f} ms, "
        f"change -> diagnostics {big_change * 1000:.0f} ms; memory then: {after_big}, "
        f"after closing it: {after_close}"
    )


if __name__ == "__main__":
    main()
