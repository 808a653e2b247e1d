#!/usr/bin/env python3
"""Draw diagnostics to label from the default config's output on the five
real folders (../shared/corpus/realworld), leaving out those already in
realworld.tsv. The draw is deterministic (ordered by a hash of each
finding's identity), so a rerun proposes the same findings.

Usage: tests/labels/sample.py MIGRALINT_BINARY [N]   (N: how many, default all)
Prints TSV rows `folder file line column rule TODO message` followed by the
statement's first lines as `#` comments, to fill in and append to
realworld.tsv (replace TODO by act/act:outside/act:down/noise/wrong, see its header, and the message by a reason).
"""
import hashlib, json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "../../../shared/corpus/realworld"))
apps = ["golang__pkgsite", "google__exposure-notifications-server", "goharbor__harbor",
        "raystack__frontier", "svix__svix-webhooks"]

def labelled():
    keys = set()
    with open(os.path.join(here, "realworld.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            keys.add((p[0], p[1], int(p[2]), int(p[3]), p[4]))
    return keys

def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else None
    done = labelled()
    todo = []
    for app in apps:
        out = subprocess.run([binary, "check", "--format", "json", os.path.join(root, app)],
                             capture_output=True, text=True)
        for d in json.loads(out.stdout)["diagnostics"]:
            key = (app, os.path.basename(d["file"]), d["line"], d["column"], d["rule"])
            if key not in done:
                todo.append((hashlib.sha1(repr(key).encode()).hexdigest(), key, d))
    todo.sort(key=lambda t: t[0])
    for _, key, d in todo[:n]:
        print("\t".join(map(str, key)) + "\tTODO\t" + d["message"].replace("\t", " ").replace("\n", " "))
        with open(d["file"], encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for l in lines[d["line"] - 1:min(d.get("end_line", d["line"]), d["line"] + 3)]:
            print("#   " + l)

main()
