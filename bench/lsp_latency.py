#!/usr/bin/env python3
"""Latency of `migralint lsp`: time from a `didChange` to the
`publishDiagnostics` of that version, on one open file of a generated
migrations directory (bench/gen_corpus.py, 500 files by default), the
server reading the other files from disk as context.

Measured, not asserted. Three numbers:
- open: didOpen to the first diagnostics (the directory read from disk);
- edit: one change after a pause (the usual case: typing, then a look),
  linted at once;
- burst: a change sent 30 ms after the previous one, 10 in a row (fast
  typing): changes within 150 ms of the last lint wait for the debounce
  and are linted together; the time is from the last change.

Usage: bench/lsp_latency.py [--bin target/release/migralint] [--versions 250] [--edits 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import queue

HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    def __init__(self, binary, cwd):
        self.p = subprocess.Popen([binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.q = queue.Queue()
        self.id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.q.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.id and "method" not in m)

    def wait(self, pred, timeout=60):
        end = time.perf_counter() + timeout
        while True:
            t, m = self.q.get(timeout=max(0.0, end - time.perf_counter()))
            if pred(m):
                return t, m


def diagnostics_of(uri, version):
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri and m["params"].get("version") == version)


def stats(name, xs):
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
    print(f"{name:6} n={len(xs):3}  median {statistics.median(xs):7.1f} ms  p90 {p90:7.1f} ms  max {xs[-1]:7.1f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "migralint"))
    ap.add_argument("--versions", type=int, default=250)
    ap.add_argument("--edits", type=int, default=20)
    args = ap.parse_args()
    corpus = os.path.join(HERE, "out", f"lsp-{args.versions}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus,
                        "--versions", str(args.versions)], check=True)
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".sql"))
    target = [f for f in files if f.endswith(".up.sql")][-1]
    path = os.path.abspath(os.path.join(corpus, target))
    uri = "file://" + path
    text = open(path).read()
    print(f"{len(files)} files in {corpus}; editing {target}; {os.cpu_count()} cores; {args.bin}")

    s = Server(os.path.abspath(args.bin), corpus)
    s.request("initialize", {"processId": None, "capabilities": {
        "textDocument": {"publishDiagnostics": {"versionSupport": True}}}})
    s.notify("initialized", {})

    t0 = time.perf_counter()
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "sql", "version": 1, "text": text}})
    t1, m = s.wait(diagnostics_of(uri, 1))
    print(f"open   {(t1 - t0) * 1000:7.1f} ms ({len(m['params']['diagnostics'])} diagnostics)")

    version = 1
    edits = []
    for i in range(args.edits):
        time.sleep(0.2)
        version += 1
        t0 = time.perf_counter()
        s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                            "contentChanges": [{"text": text + f"\n-- edit {i}\n"}]})
        t1, _ = s.wait(diagnostics_of(uri, version))
        edits.append((t1 - t0) * 1000)
    stats("edit", edits)

    bursts = []
    for b in range(max(1, args.edits // 5)):
        time.sleep(0.3)
        for i in range(10):
            version += 1
            t0 = time.perf_counter()
            s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                "contentChanges": [{"text": text + f"\n-- burst {b} {i}\n"}]})
            time.sleep(0.03)
        t1, _ = s.wait(diagnostics_of(uri, version))
        bursts.append((t1 - t0) * 1000)
    stats("burst", bursts)

    s.request("shutdown", None)
    s.notify("exit", None)
    s.p.wait(timeout=10)


if __name__ == "__main__":
    main()
