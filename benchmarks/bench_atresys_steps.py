"""ATRESYS scheduled steps on the simulator: scan over 50,000 tapes; one cycle of steps 1-6 with 1,000 tapes.

scan: the whole ``cta-ops-repack-0-scan`` process (start-up, ``cta-admin --json tape ls --full true``,
parse in Rust, select) against the obvious alternative in the same run: the same cta-admin call
through ``subprocess`` with ``json.loads`` and the same selection in Python. The 50,000 tapes are
catalogue rows cloned from the simulator's (scan reads only the catalogue); 60 % are full.

cycle: 1,000 full tapes (empty, so the simulator's repacks are quick and reclaim is allowed at once)
go through prepare → start → (simulator runs the repacks, not counted) → end → quarantine →
reclaim → finish, on SQLite and on a throwaway PostgreSQL. Tool time = each step's wall time minus
the time its cta-admin calls took (the step reports it with ``-V``); the cta-admin time is printed
next to it as the reference. Temporary instances are removed at the end.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ctaops.atresys.conftest import QUARANTINE, SUFFIX, pg_database
from tests.pgcluster import PgCluster

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCAN_TAPES = 50_000
CYCLE_TAPES = 1_000
SCAN_TARGET_S = 2.0
CYCLE_TARGET_S = 10.0


def ctaops_native() -> str:
    import os  # noqa: PLC0415

    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    found = [p for p in (target / "release" / "ctaops", target / "debug" / "ctaops") if p.exists()]
    return str(max(found, key=lambda p: p.stat().st_mtime))


def init_sim(exe: str, d: Path, tapes: int) -> None:
    # sim init creates the quarantine, tolabel and erase pools the steps move tapes to.
    subprocess.run([exe, "sim", "init", str(d), "--tapes", str(tapes)], check=True, capture_output=True)


def write_config(path: Path, sim: Path, db: dict[str, Any], n: int) -> None:
    doc = {
        "global": {
            "binaries": {"cta-admin": str(sim / "bin" / "cta-admin")},
            "tape": {
                "cta-admin_config": str(path.parent / "none"),
                "lib_to_pool_map": {"ctaops_lib1": {"LTO9": SUFFIX}},
            },
        },
        "tools": {
            "cta-ops-repack-automation": {
                "database": db,
                "max_active_repacks": n,
                "quarantine_days": 0,
                "quarantine_pool": QUARANTINE,
                "priorities": {10: {"name": "low", "mount_policy": "repack", "default_dst_pool_prefix": "tolabel"}},
                "cta-ops-repack-0-scan": {"number_of_tapes": n},
                "cta-ops-repack-2-start": {
                    "existing_files_on_tape": str(path.parent / "tf" / "repack-tapefile-$DATE-$TAPE.txt")
                },
                "cta-ops-repack-3-end": {"repack-end-json-path": str(path.parent / "end.json")},
                "cta-ops-repack-monitor": {"ls_out": str(path.parent / "ls.json")},
            }
        },
    }
    path.write_text(re.sub(r'"(\d+)":', r"\1:", json.dumps(doc)))


# --- scan ------------------------------------------------------------------------------------


def clone_tapes(sim: Path, n: int) -> None:
    rnd = random.Random(7)
    with sqlite3.connect(sim / "catalogue.db") as c:
        cols = [r[1] for r in c.execute("PRAGMA table_info(TAPE)")]
        row = dict(zip(cols, c.execute("SELECT * FROM TAPE WHERE VID = 'V00001'").fetchone()))
        rows = []
        for i in range(n):
            r = dict(row)
            r["VID"] = f"S{i:05d}"
            r["IS_FULL"] = "1" if rnd.random() < 0.6 else "0"
            r["DATA_IN_BYTES"] = r["MASTER_DATA_IN_BYTES"] = rnd.randrange(0, 18_000_000_000_000)
            r["NB_MASTER_FILES"] = rnd.randrange(1, 5000)
            r["LAST_FSEQ"] = r["NB_MASTER_FILES"]
            rows.append(tuple(r[k] for k in cols))
        marks = ",".join("?" * len(cols))
        c.executemany(f"INSERT INTO TAPE VALUES ({marks})", rows)  # noqa: S608  (placeholders only)


def python_scan(cta_admin: str, threshold: float, ignore: set[str], limit: int) -> list[str]:
    out = subprocess.run([cta_admin, "--json", "tape", "ls", "--full", "true"], capture_output=True, check=True).stdout
    found = []
    for t in json.loads(out):
        cap = int(t["capacity"])
        if t["full"] and t["state"] in ("ACTIVE", "DISABLED") and t["tapepool"] not in ignore and cap > 0:
            usage = int(t["occupancy"]) / cap
            if usage < threshold:
                found.append((usage, t["vid"]))
    return [v for _, v in sorted(found)[:limit]]


def bench_scan(exe: str, root: Path) -> None:
    sim = root / "scan-sim"
    init_sim(exe, sim, 20)
    clone_tapes(sim, SCAN_TAPES)
    cfg = root / "scan.yaml"
    write_config(cfg, sim, {"backend": "sqlite", "path": str(root / "scan.sqlite")}, 10)
    subprocess.run(
        [str(BIN / "cta-ops-repack-manager"), "-C", str(cfg), "db", "upgrade"], check=True, capture_output=True
    )
    ours, theirs = float("inf"), float("inf")
    vids: list[str] = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = subprocess.run(
            [str(BIN / "cta-ops-repack-0-scan"), "-C", str(cfg)], capture_output=True, text=True, check=True
        )
        ours = min(ours, time.perf_counter() - t0)
        vids = r.stdout.split()
        t0 = time.perf_counter()
        alt = python_scan(str(sim / "bin" / "cta-admin"), 0.4, {"quarantine", QUARANTINE}, 10)
        theirs = min(theirs, time.perf_counter() - t0)
    assert vids == alt, (vids, alt)
    verdict = "meets target" if ours <= SCAN_TARGET_S else "MISSES target"
    print(
        f"scan, {SCAN_TAPES} tapes (whole process)          ours {ours:6.2f} s   "
        f"subprocess+json.loads {theirs:6.2f} s   ratio {theirs / ours:4.2f}x   target <= {SCAN_TARGET_S} s: {verdict}"
    )


# --- cycle -----------------------------------------------------------------------------------

STEPS = ("1-prepare", "2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish")


def run_step(cfg: Path, name: str) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    r = subprocess.run(
        [str(BIN / f"cta-ops-repack-{name}"), "-C", str(cfg), "-V"], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    assert r.returncode == 0, (name, r.stderr[-2000:])
    m = re.search(r"cta-admin: (\d+) call\(s\), ([\d.]+) s", r.stderr)
    assert m, r.stderr[-500:]
    return wall, float(m.group(2)), int(m.group(1))


def bench_cycle(exe: str, root: Path, template: Path, backend: str, db: dict[str, Any]) -> None:
    sim = root / f"cycle-{backend}"
    subprocess.run(["cp", "-a", str(template), str(sim)], check=True)
    for f in (sim / "bin").iterdir():
        f.write_text(f.read_text().replace(str(template), str(sim)))
    cfg = root / f"cycle-{backend}.yaml"
    write_config(cfg, sim, db, CYCLE_TAPES)
    subprocess.run(
        [str(BIN / "cta-ops-repack-manager"), "-C", str(cfg), "db", "upgrade"], check=True, capture_output=True
    )
    tool = admin = 0.0
    calls = 0
    parts = []
    for name in STEPS:
        wall, in_admin, n = run_step(cfg, name)
        tool += wall - in_admin
        admin += in_admin
        calls += n
        parts.append(f"{name.split('-', 1)[1]} {wall - in_admin:.2f}")
        if name == "2-start":
            subprocess.run([exe, "sim", "run", str(sim), "--until-idle"], check=True, capture_output=True)
    out = subprocess.run(
        [str(BIN / "cta-ops-repack-manager"), "-C", str(cfg), "ls", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    states = {r["state"] for r in json.loads(out)}
    assert states == {"finished"}, states
    verdict = "meets target" if tool <= CYCLE_TARGET_S else "MISSES target"
    print(
        f"cycle 1-6, {CYCLE_TAPES} tapes, {backend:<10}        tool {tool:6.2f} s   "
        f"cta-admin {admin:6.2f} s ({calls} calls)   target tool <= {CYCLE_TARGET_S} s: {verdict}"
    )
    print(f"    per step (tool s): {', '.join(parts)}")


def main() -> None:
    exe = ctaops_native()
    root = Path(tempfile.mkdtemp(prefix="bench-atresys-"))
    try:
        bench_scan(exe, root)
        template = root / "cycle-template"
        # 2,500 tapes: 1,000 in the user pool, marked full and empty
        init_sim(exe, template, 2500)
        with sqlite3.connect(template / "catalogue.db") as c:
            c.execute("UPDATE TAPE SET IS_FULL = '1' WHERE TAPE_POOL_NAME = 'ctaops_user'")
        bench_cycle(exe, root, template, "sqlite", {"backend": "sqlite", "path": str(root / "cycle.sqlite")})
        cluster = PgCluster.start()
        try:
            bench_cycle(exe, root, template, "postgresql", pg_database(cluster))
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
