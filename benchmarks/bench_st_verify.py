"""Throughput through the st driver: `ctaops tape verify --device` against `dd bs=256k`.

Target (issue 15): at least 0.9x dd's speed on the same tape in the same guest, i.e. the read path
adds no copies and no small reads. Boots the device test bed's guest (tests/devices/vm.py) in bench
mode: tgt's drive behind open-iscsi and the kernel's st driver, a tape of 8 x 256 MiB files written
by ctaops, read whole by dd (one dd per tape file) and by verify (which also checksums), best of 2.

Usage: python benchmarks/bench_st_verify.py BINARY WHEEL   (make bench-devices passes them)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.devices import vm

from _util import verdict

TARGET = 0.9


def main(argv: list[str]) -> int:
    binary, wheel = Path(argv[0]), Path(argv[1])
    work = Path(tempfile.mkdtemp(prefix="ctaops-bench-"))
    vm.prepare_work(work, binary, wheel, "bench")
    boot = vm.boot(vm.build_image(), work, timeout=3600)
    out = work / "results" / "bench.json"
    if not out.exists() or not out.read_text().strip():
        log = work / "results" / "bench.log"
        print(f"benchmark did not run: {log.read_text() if log.exists() else boot.console[-2000:]}")
        return 1
    r = json.loads(out.read_text())
    gib = r["bytes"] / (1 << 30)
    print(f"st read of a {gib:.1f} GiB tgt tape in the guest ({boot.accel}); write took {r['write_s']} s")
    print(f"  dd bs=256k (one per tape file)   {r['dd_mb_s']:8.1f} MB/s   runs {r['dd_s']} s")
    print(f"  dd bs=1M (longer requests: ILI)    {r['dd_1m_mb_s']:8.1f} MB/s   runs {r['dd_1m_s']} s")
    print(f"  ctaops tape verify --device       {r['verify_mb_s']:8.1f} MB/s   runs {r['verify_s']} s")
    print(f"  ratio verify/dd bs=256k {r['ratio']:.2f}x (target >= {TARGET}x): {verdict(r['ratio'], TARGET)}")
    print(f"  ratio verify/dd bs=1M   {r['ratio_1m']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
