#!/usr/bin/env python3
"""A stand-in for ``cta-admin`` that plays back a recorded answer.

The scenario is a JSON file passed as the ``--config`` argument (the real cta-admin takes its
config file there too, so tests run in parallel without sharing environment variables)::

    {"stdout": "...", "stdout_file": "path", "stderr": "...", "exit": 0,
     "mode": "normal|slow|trickle|kill|hang", "delay": 1.0, "log": "path"}

``log`` receives the argv and the sss environment as JSON; ``calls`` (a path) gets one JSON
line per invocation with its argv; with ``cta_version`` (e.g. ``"5.11.7.0-1"``) the ``version``
command answers a version record of that server version (``"unavailable"``: exit 1 with an
error, like a frontend without it) and other commands print ``stdout``; ``trickle`` writes the first
``split`` bytes, waits ``delay`` seconds, then writes the rest; ``kill`` writes stdout then
kills itself with SIGKILL; ``hang`` sleeps forever after writing stdout.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def main() -> int:
    argv = sys.argv[1:]
    if "--config" not in argv:
        sys.stderr.write("fake cta-admin: needs --config <scenario.json>\n")
        return 1
    with open(argv[argv.index("--config") + 1], encoding="utf-8") as f:
        sc = json.load(f)
    if "log" in sc:
        with open(sc["log"], "w", encoding="utf-8") as f:
            env = {k: os.environ.get(k) for k in ("XrdSecPROTOCOL", "XrdSecSSSKT")}
            json.dump({"argv": argv, "env": env}, f)
    if "calls" in sc:
        with open(sc["calls"], "a", encoding="utf-8") as f:
            f.write(json.dumps(argv) + "\n")
    command = argv[argv.index("--config") + 2 :]
    if "cta_version" in sc and command[:1] in (["version"], ["v"]):
        return version(sc["cta_version"])
    if "stdout_file" in sc:
        with open(sc["stdout_file"], "rb") as f:
            out = f.read()
    else:
        out = sc.get("stdout", "").encode()
    mode = sc.get("mode", "normal")
    delay = float(sc.get("delay", 1.0))
    stdout = sys.stdout.buffer
    if mode == "slow":
        time.sleep(delay)
    if mode == "trickle":
        split = int(sc.get("split", len(out) // 2))
        stdout.write(out[:split])
        stdout.flush()
        time.sleep(delay)
        out = out[split:]
    stdout.write(out)
    stdout.flush()
    sys.stderr.write(sc.get("stderr", ""))
    sys.stderr.flush()
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "hang":
        while True:
            time.sleep(3600)
    return int(sc.get("exit", 0))


def version(server: str) -> int:
    if server == "unavailable":
        sys.stderr.write("Invalid command: version\n")
        return 1
    record = {
        "clientVersion": {"ctaVersion": server, "xrootdSsiProtobufInterfaceVersion": "v1.x"},
        "serverVersion": {"ctaVersion": server, "xrootdSsiProtobufInterfaceVersion": "v1.x"},
        "catalogueConnectionString": "postgresql:postgresql://cta:******@db/cta",
        "catalogueVersion": "15.0",
        "isUpgrading": False,
        "schedulerBackendName": "ceph",
        "instanceName": "ctafake",
    }
    sys.stdout.write(json.dumps([record]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
