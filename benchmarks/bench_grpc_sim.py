"""Native gRPC against ``cta-admin --json`` on one simulator instance (issue 9), in one run.

* ``tapefile ls --vid`` of a tape with N files (default 1,000,000) into a ``pyarrow.Table``:
  ``CtaAdmin(transport="grpc")`` talking to ``ctaops sim serve`` (TLS, JWT, loopback) vs
  ``CtaAdmin()`` spawning the instance's ``cta-admin`` (``--json``) and parsing its output.
  Both end to end: catalogue query, encoding, transport, decoding, Arrow. Target: gRPC >= 2x faster.
* One ``tape ls --vid`` round trip over gRPC (target <= 5 ms), and through ``cta-admin`` for scale.

Usage: ``python benchmarks/bench_grpc_sim.py [--files 1000000]``. The instance lives under /tmp
and is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict
from ctaops.admin import CtaAdmin

REPO = Path(__file__).resolve().parent.parent


def ctaops() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "ctaops")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--files", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ctaops-bench-grpc-", dir="/tmp") as tmp:
        inst = Path(tmp) / "sim"
        t0 = time.perf_counter()
        subprocess.run(
            [ctaops(), "sim", "init", inst, "--preset", "cern-like", "--tapes", "5", "--drives", "2",
             "--synthetic-files-per-tape", str(args.files)],
            check=True, capture_output=True,
        )  # fmt: skip
        print(f"instance with {args.files:,} files on one tape made in {time.perf_counter() - t0:.1f} s")
        vid = (
            sqlite3.connect(inst / "catalogue.db")
            .execute("SELECT VID FROM TAPE_FILE GROUP BY VID ORDER BY COUNT(*) DESC LIMIT 1")
            .fetchone()[0]
        )
        server = subprocess.Popen(
            [ctaops(), "sim", "serve", inst, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            print(server.stdout.readline().strip())
            grpc = CtaAdmin(transport="grpc", config_file=inst / "cta-cli.conf")
            spawn = CtaAdmin(cta_admin=inst / "bin" / "cta-admin")
            n_grpc = grpc.arrow("tapefile", vid=vid).num_rows
            n_spawn = spawn.arrow("tapefile", vid=vid).num_rows
            assert n_grpc == n_spawn == args.files, (n_grpc, n_spawn)
            t_grpc = best_of(lambda: grpc.arrow("tapefile", vid=vid), args.runs)
            t_spawn = best_of(lambda: spawn.arrow("tapefile", vid=vid), args.runs)
            ratio = t_spawn / t_grpc
            print(
                f"tapefile ls, {args.files:,} records -> Arrow: gRPC {t_grpc:6.2f} s   cta-admin --json + parser "
                f"{t_spawn:6.2f} s   ratio {ratio:4.2f}x   target >= 2x: {verdict(ratio, 2.0)}"
            )
            # For scale, the gRPC-era `cta-admin`: DIR/bin/cta-admin-grpc is a client of the same
            # frontend (as CTA's cta-admin-grpc), printing JSON for the same parser. The target is
            # measured against the in-process `cta-admin` above, which has no frontend hop.
            via_fe = CtaAdmin(cta_admin=inst / "bin" / "cta-admin-grpc", config_file=inst / "cta-cli.conf")
            t_fe = best_of(lambda: via_fe.arrow("tapefile", vid=vid), args.runs)
            print(
                f"  for scale: cta-admin-grpc --json (a client of the same frontend) + parser {t_fe:6.2f} s   "
                f"native gRPC is {t_fe / t_grpc:4.2f}x faster"
            )
            # Where the gRPC time goes: transport + decoding into typed records. For scale, the core's
            # generic typed-records -> Arrow conversion (AdminRecords.to_arrow(), serde into
            # arrow-json), which grpc.arrow() does not use for tapefile (column builders instead).
            t_recs = best_of(lambda: grpc.tape_files(vid), args.runs)
            recs = grpc.tape_files(vid)
            t_conv = best_of(recs.to_arrow, args.runs)
            print(
                f"  breakdown: gRPC -> typed records {t_recs:6.2f} s ({t_spawn / t_recs:4.1f}x faster than the "
                f"cta-admin path to Arrow); AdminRecords.to_arrow() (generic serde route) {t_conv:6.2f} s"
            )
            del recs
            # CPU time (user+sys) of each side for one listing: the load-independent comparison.
            g_cli, g_srv = _cpu(lambda: grpc.arrow("tapefile", vid=vid), server.pid)
            s_cli, s_child = _cpu(lambda: spawn.arrow("tapefile", vid=vid), None)
            print(
                f"  CPU per listing: gRPC client {g_cli:5.2f} s + server {g_srv:5.2f} s = {g_cli + g_srv:5.2f} s   "
                f"cta-admin path parser {s_cli:5.2f} s + cta-admin {s_child:5.2f} s = {s_cli + s_child:5.2f} s   "
                f"ratio {(s_cli + s_child) / (g_cli + g_srv):4.2f}x"
            )
            small = "V00001"
            lat = []
            for _ in range(300):
                s = time.perf_counter()
                grpc.tapes(vid=small)
                lat.append(time.perf_counter() - s)
            lat.sort()
            med, p99 = statistics.median(lat) * 1e3, lat[int(len(lat) * 0.99)] * 1e3
            spawn_lat = sorted(_timed(lambda: spawn.tapes(vid=small)) for _ in range(20))
            print(
                f"tape ls --vid round trip: gRPC median {med:5.2f} ms p99 {p99:5.2f} ms   "
                f"cta-admin median {statistics.median(spawn_lat) * 1e3:6.1f} ms   "
                f"target <= 5 ms: {verdict(med, 5.0, higher_is_better=False)}"
            )
            t_async = best_of(lambda: asyncio.run(grpc.tapes_async(vid=small)), 20)
            print(f"tape ls --vid via tapes_async (asyncio.run each): best {t_async * 1e3:5.2f} ms")
        finally:
            server.terminate()
            server.wait(10)
    return 0


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(fn: Callable[[], object], server_pid: int | None) -> tuple[float, float]:
    """CPU seconds of this process, and of `server_pid` (else of the children waited for), in one `fn()`."""

    def mine() -> tuple[float, float]:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        other = _proc_cpu(server_pid) if server_pid is not None else kids.ru_utime + kids.ru_stime
        return me.ru_utime + me.ru_stime, other

    a = mine()
    fn()
    b = mine()
    return b[0] - a[0], b[1] - a[1]


def _timed(fn: object) -> float:
    s = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - s


if __name__ == "__main__":
    sys.exit(main())
