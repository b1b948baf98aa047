"""Native gRPC against ``cta-admin --json`` through a subprocess (issue 9).

Runs the Rust benchmark ``rust/ctaops-grpc/examples/bench_grpc.rs`` (release build), which in one
process and one run:

* lists N ``tapefile ls`` records (default 1,000,000) into Arrow record batches over gRPC (TLS,
  JWT) from an in-memory server on 127.0.0.1 that holds them encoded (made once before timing, as
  the fake ``cta-admin`` prints a file made once): the transport and the client, no catalogue;
* lists the same records through the existing runner: a fake ``cta-admin`` (``cat`` of a
  pre-generated ``--json`` file) as a subprocess, streamed into the existing JSON parser, to Arrow;
* times 500 ``tape ls --vid`` round trips over gRPC on one connection.

Both paths end in the same Arrow tables. Usage::

    python benchmarks/bench_grpc.py [--records 1000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    args = ap.parse_args()
    cmd = ["cargo", "run", "-q", "--release", "-p", "ctaops-grpc", "--example", "bench_grpc", "--", str(args.records)]
    return subprocess.run(cmd, cwd=ROOT, env=os.environ.copy(), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
