"""Parsing ``cta-admin --json`` output: ctaops.admin against ``json.loads`` of the same bytes.

Generates CTA-shaped outputs (1,000,000 ``tapefile ls`` records, ~360 MB, and 50,000 ``tape ls``
records) and measures, each variant in a fresh process so memory figures are its own:

* ``json.loads``: the obvious alternative (a list of dicts);
* ``parse_arrow``: straight to a ``pyarrow.Table`` (built in Rust);
* ``parse``: to ``AdminRecords`` (typed records held in Rust), and ``parse`` + ``list()`` which
  also creates one Python record object per record;
* streaming: ``read_arrow_fd`` on a pipe while a writer process is still producing, against
  ``json.loads`` of everything read from the same kind of pipe.

Peak extra memory is VmHWM after resetting it (``/proc/self/clear_refs``) minus VmRSS before the
call, i.e. what the call needed on top of the input bytes; ``cpu`` is the process's user+sys time
during the call (every thread: the in-memory readers use one per core for large inputs), which
says more than wall time when the machine is loaded. ``--files 1000`` runs only the ``tape ls``
case in earnest. Usage::

    python benchmarks/bench_admin_parse.py [--files 1000000] [--tapes 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHUNK = 10_000


def tapefile_record(i: int) -> str:
    vid = f"V{i // 20000:05d}"
    fseq = i % 20000 + 1
    return (
        f'{{"af":{{"archiveId":"{4294967296 + i}","storageClass":"atlas_raw","creationTime":"{1741170001 + i}",'
        f'"checksum":[{{"type":"ADLER32","value":"{(i * 2654435761) & 0xFFFFFFFF:08x}"}}],"size":"{600000 + i * 37}"}},'
        f'"df":{{"diskId":"{5401234 + i}","diskInstance":"eosatlas","ownerId":{{"uid":10763,"gid":1307}},"path":""}},'
        f'"tf":{{"vid":"{vid}","copyNb":1,"blockId":"{(fseq - 1) * 2360}","fSeq":"{fseq}"}},'
        f'"instanceName":"ctaproduction"}}'
    )


def tape_record(i: int) -> str:
    logs = (
        ""
        if i % 10 == 0
        else (
            f'"labelLog":{{"drive":"I45507{i % 90:02d}","time":"1709641220"}},'
            f'"lastWrittenLog":{{"drive":"I45507{i % 77:02d}","time":"{1741170012 + i}"}},'
            f'"lastReadLog":{{"drive":"I45507{i % 55:02d}","time":"{1741199987 + i}"}},'
        )
    )
    return (
        f'{{"vid":"V{i:05d}","mediaType":"LTO9","vendor":"FUJIFILM","logicalLibrary":"IBM460_LTO9",'
        f'"tapepool":"atlas_raw_{2020 + i % 7}","vo":"ATLAS","encryptionKeyName":"","capacity":"18000000000000",'
        f'"occupancy":"{i * 104857600}","lastFseq":"{i % 20000}","full":{"true" if i % 3 == 0 else "false"},'
        f'"fromCastor":false,"readMountCount":"{i % 97}","writeMountCount":"{i % 41}",{logs}'
        f'"creationLog":{{"username":"ctaops","host":"ctaadm01.cern.ch","time":"1709640001"}},'
        f'"lastModificationLog":{{"username":"ctaops","host":"ctaadm01.cern.ch","time":"{1709640001 + i}"}},'
        f'"comment":"","nbMasterFiles":"{i % 20000}","masterDataInBytes":"{i * 104857000}","state":"ACTIVE",'
        f'"stateReason":"","stateUpdateTime":"1709640001","stateModifiedBy":"ctaops@ctaadm01.cern.ch",'
        f'"dirty":false,"verificationStatus":"","purchaseOrder":"PO-2024-0042","physicalLibrary":"IBM460",'
        f'"labelFormat":"CTA","instanceName":"ctaproduction","storageClassStatistics":[]}}'
    )


GEN = {"tapefile": tapefile_record, "tape": tape_record}


def write_json(kind: str, n: int, out: Any, pause: float = 0.0) -> None:
    """Writes ``--json`` framing as cta-admin does: one line, streamed, ``]\\n`` at the end."""
    gen = GEN[kind]
    for start in range(0, n, CHUNK):
        parts = [gen(i) for i in range(start, min(n, start + CHUNK))]
        out.write((("[" if start == 0 else ",") + ",".join(parts)).encode())
        out.flush()
        if pause:
            time.sleep(pause)
    out.write(b"]\n" if n else b"[]\n")
    out.flush()


def status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def run_variant(variant: str, kind: str, data: bytes) -> Any:
    import ctaops.admin as adm  # noqa: PLC0415 (measured in the child only)

    if variant == "json.loads":
        return json.loads(data)
    if variant == "parse_arrow":
        return adm.parse_arrow(kind, data, "json")
    if variant == "parse":
        return adm.parse(kind, data, "json")
    if variant == "parse+objects":
        recs = adm.parse(kind, data, "json")
        return recs, list(recs)
    raise ValueError(variant)


def child(variant: str, kind: str, path: str, repeat: int) -> None:
    import pyarrow  # noqa: F401, PLC0415

    import ctaops.admin  # noqa: F401, PLC0415 (import cost is not part of the measurement)

    data = Path(path).read_bytes()
    gc.collect()
    times = []
    cpu = []
    extra = 0
    for r in range(repeat):
        rss0 = status_kb("VmRSS")
        reset_peak()
        c0 = time.process_time()
        t0 = time.perf_counter()
        res = run_variant(variant, kind, data)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if r == 0:
            extra = (status_kb("VmHWM") - rss0) * 1024
        del res
        gc.collect()
    print(json.dumps({"seconds": min(times), "cpu": min(cpu), "extra": extra, "input": len(data)}))


def stream_child(variant: str, kind: str) -> None:
    import pyarrow  # noqa: F401, PLC0415

    import ctaops.admin as adm  # noqa: PLC0415 (measured in the child only)

    gc.collect()
    rss0 = status_kb("VmRSS")
    reset_peak()
    t0 = time.perf_counter()
    if variant == "read_arrow_fd":
        res: Any = adm.read_arrow_fd(kind, sys.stdin.fileno(), "json")
        rows = res.num_rows
        result_bytes = res.nbytes
    else:
        res = json.loads(sys.stdin.buffer.read())
        rows = len(res)
        result_bytes = 0
    elapsed = time.perf_counter() - t0
    peak = status_kb("VmHWM") * 1024
    print(
        json.dumps(
            {"seconds": elapsed, "peak": peak, "extra": peak - rss0 * 1024, "rows": rows, "result": result_bytes}
        )
    )


def measure(variant: str, kind: str, path: Path, repeat: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, kind, str(path), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout))


def measure_stream(variant: str, kind: str, n: int, pause: float) -> dict[str, Any]:
    writer = subprocess.Popen([sys.executable, __file__, "--writer", kind, str(n), str(pause)], stdout=subprocess.PIPE)
    assert writer.stdout is not None
    out = subprocess.run(
        [sys.executable, __file__, "--stream-child", variant, kind],
        stdin=writer.stdout,
        check=True,
        capture_output=True,
        text=True,
    )
    writer.stdout.close()
    writer.wait()
    return dict(json.loads(out.stdout))


def mb(b: float) -> str:
    return f"{b / 1e6:8.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1_000_000, help="tapefile ls records")
    ap.add_argument("--tapes", type=int, default=50_000, help="tape ls records")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pause", type=float, default=0.002, help="writer pause per 10,000 records (s)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-admin-") as tmp:
        for kind, n in (("tapefile", args.files), ("tape", args.tapes)):
            path = Path(tmp) / f"{kind}.json"
            with path.open("wb") as f:
                write_json(kind, n, f)
            size = path.stat().st_size
            print(f"\n== {kind} ls: {n:,} records, {size / 1e6:.0f} MB of --json ({size / max(n, 1):.0f} B/record)")
            res = {
                v: measure(v, kind, path, args.repeat) for v in ("json.loads", "parse_arrow", "parse", "parse+objects")
            }
            base = res["json.loads"]["seconds"]
            for v, r in res.items():
                ratio = base / r["seconds"]
                print(
                    f"  {v:14s} {r['seconds']:7.3f} s  {ratio:5.2f}x vs json.loads  peak extra {mb(r['extra'])}"
                    f"  ({r['extra'] / size:4.2f}x input)  cpu {r['cpu']:7.3f} s (all threads)"
                )
            arrow_ok = base / res["parse_arrow"]["seconds"] >= 6 and res["parse_arrow"]["extra"] <= 1.5 * size
            obj_ratio = base / res["parse+objects"]["seconds"]
            print(f"  target arrow >= 6x and extra <= 1.5x input: {'MET' if arrow_ok else 'MISSED'}")
            print(f"  target records >= 3x (parse+objects {obj_ratio:.2f}x): {'MET' if obj_ratio >= 3 else 'MISSED'}")

        n = args.files
        print(f"\n== streaming {n:,} tapefile records from a pipe while the writer is producing")
        for v in ("read_arrow_fd", "json.loads"):
            r = measure_stream(v, "tapefile", n, args.pause)
            print(
                f"  {v:14s} {r['seconds']:7.2f} s  peak RSS {mb(r['peak'])}  extra {mb(r['extra'])}"
                f"  rows {r['rows']:,}  result {mb(r['result'])}"
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--stream-child":
        stream_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--writer":
        write_json(sys.argv[2], int(sys.argv[3]), sys.stdout.buffer, float(sys.argv[4]))
    else:
        os.environ.setdefault("PYTHONHASHSEED", "0")
        main()
