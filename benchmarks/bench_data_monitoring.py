"""cta-ops-data-monitoring's hot path: one day of cta-taped logs of a 100-drive site, target <= 2 s.

Generates ~50,000 `Tape session finished` records (the full field set the simulator writes, CTA's
key names; 100 drives in 4 libraries, 30 tape pools of 6 VOs, 5 mount types, 2% failures; half of
the counters as JSON numbers as CTA writes them, half as the schema's strings), then times, best
of 5, in the same run:

* ours: the Rust aggregation through the Python API (`ctaops.datamon.sources.taped_logs`);
* the whole tool, process start included: `cta-ops-data-monitoring --taped-logs F --dry-run`;
* the alternative: a plain Python loop, `json.loads` of every line and a dict of sums.

The daily points of ours and the alternative must be equal.

    .venv/bin/python benchmarks/bench_data_monitoring.py
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict
from ctaops.datamon import sources

TOOL = str(Path(sys.executable).with_name("cta-ops-data-monitoring"))
RECORDS = 50_000
DAY0 = 1_796_515_200  # 2026-12-06 00:00 UTC
MOUNTS = ("ArchiveForUser", "Retrieve", "ArchiveForRepack", "Retrieve", "ArchiveForUser")


def generate(path: Path) -> None:
    rng = random.Random(20)
    vos = [f"vo{i}" for i in range(6)]
    pools = [(f"{vos[i % 6]}_pool{i}", vos[i % 6]) for i in range(30)]
    with path.open("w") as f:
        for n in range(RECORDS):
            t = DAY0 + n * 86_400 // RECORDS
            drive = rng.randrange(100)
            pool, vo = rng.choice(pools)
            files = rng.randrange(0, 2000)
            volume = files * rng.randrange(1_000_000, 4_000_000_000)
            total = 60 + rng.random() * 3600
            rec = {
                "epoch_time": t + 0.123456789,
                "local_time": "2026-12-06T00:00:00+0000",
                "cta_version": "5.11.0-1",
                "log_schema_version": "0.2.0",
                "hostname": f"tpsrv{drive:03d}",
                "program": "cta-taped",
                "source_location": "DriveHandler.cpp:506",
                "log_level": "INFO",
                "pid": 4000 + drive,
                "tid": 4000 + drive,
                "message": "Tape session finished",
                "event_name": "tape_session_finished",
                "tapeDrive": f"LIB{drive % 4}-LTO9-D{drive:03d}",
                "logicalLibrary": f"LIB{drive % 4}",
                "mountType": MOUNTS[n % 5],
                "tapeVid": f"V{rng.randrange(100000):05d}",
                "tapePool": pool,
                "vo": vo,
                "volReqId": str(n),
                "mountAttempted": "1",
                "wasTapeMounted": True,
                "status": "failure" if rng.random() < 0.02 else "success",
                "mountTime": 45.2,
                "positionTime": 12.0,
                "readWriteTime": total - 100,
                "unmountTime": 30.1,
                "transferTime": total - 100,
                "totalTime": total,
                "dataVolume": volume if n % 2 else str(volume),
                "filesCount": files if n % 2 else str(files),
                "headerVolume": files * 480,
                "payloadTransferSpeedMBps": volume / 1e6 / total,
                "driveTransferSpeedMBps": str(volume / 1e6 / total),
            }
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")


def python_loop(path: Path) -> dict[int, dict[tuple[str, ...], list[int]]]:
    days: dict[int, dict[tuple[str, ...], list[int]]] = {}
    with path.open("rb") as f:
        for raw in f:
            rec = json.loads(raw)
            if rec.get("message") != "Tape session finished":
                continue
            day = int(rec["epoch_time"]) // 86_400 * 86_400
            key = tuple(rec.get(k) or "unknown" for k in ("mountType", "vo", "tapePool", "tapeDrive", "logicalLibrary"))
            p = days.setdefault(day, {}).setdefault(key, [0, 0, 0, 0])
            p[0] += int(rec.get("dataVolume", 0))
            p[1] += int(rec.get("filesCount", 0))
            p[2] += 1
            p[3] += rec.get("status") != "success"
    return days


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cta-taped.log"
        generate(log)
        size = log.stat().st_size
        ours, count = sources.taped_logs([str(log)], None, None)
        theirs = python_loop(log)
        assert count == RECORDS
        assert {d: {k: tuple(v) for k, v in p.items()} for d, p in ours.items()} == {
            d: {k: tuple(v) for k, v in p.items()} for d, p in theirs.items()
        }, "the two aggregations differ"
        config = Path(tmp) / "cta-ops-config.yaml"
        config.write_text(
            f"global:\n  logging:\n    log_dir: {tmp}\ntools:\n  cta-ops-data-monitoring:\n"
            "    dst_influxdb_host: 127.0.0.1\n    dst_influxdb_port: 8086\n"
        )
        t_ours = best_of(lambda: sources.taped_logs([str(log)], None, None))
        t_tool = best_of(
            lambda: subprocess.run(
                [TOOL, "-C", str(config), "--taped-logs", str(log), "--dry-run"], check=True, capture_output=True
            )
        )
        t_py = best_of(lambda: python_loop(log), runs=3)
        points = sum(len(p) for p in ours.values())
        print(f"{RECORDS} records, {size / 1e6:.1f} MB, {points} daily points")
        print(
            f"Rust aggregation (Python API)          {t_ours:6.3f} s   "
            f"{verdict(t_ours, 2.0, higher_is_better=False)} (<= 2 s)"
        )
        print(f"cta-ops-data-monitoring --dry-run      {t_tool:6.3f} s   (whole process)")
        print(f"plain Python json.loads loop           {t_py:6.3f} s")
        print(f"ratio (python loop / ours)             {t_py / t_ours:6.1f}x")


if __name__ == "__main__":
    main()
