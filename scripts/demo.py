"""`make demo`: a simulated CTA instance in `demo/`, driven the way operators and tools drive a real one.

It creates the instance (catalogue, virtual library, labelled tape images), lists tapes, archives
generated files, runs the scheduler, lists the tape files, verifies a tape image against the
catalogue with `ctaops tape verify`, and repacks the tape. A short checksum check comes first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import ctaops


def step(title: str) -> None:
    print(f"\n== {title}")


REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"


def sh(*argv: str | Path, show: int = 12) -> str:
    """Run a command; echo it and the first lines of its output."""
    print("$ " + " ".join(str(a) for a in argv))
    res = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    lines = (res.stdout + res.stderr).splitlines()
    for line in lines[:show]:
        print("  " + line[:160])
    if len(lines) > show:
        print(f"  ... ({len(lines) - show} more lines)")
    if res.returncode != 0:
        sys.exit(f"demo step failed with exit {res.returncode}")
    return res.stdout


def main() -> None:
    print(f"ctaops {ctaops.__version__} ({ctaops.build_info})")
    exe = shutil.which("ctaops") or str(Path(sys.executable).with_name("ctaops"))

    step("checksums: ctaops checksum agrees with zlib")
    sample = REPO / "README.md"
    out = subprocess.run([exe, "checksum", str(sample)], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == f"{zlib.adler32(sample.read_bytes()):08x}"
    print(f"  {out.strip()}  (zlib agrees)")

    step("create a simulated CTA instance in demo/")
    shutil.rmtree(DEMO, ignore_errors=True)
    sh(exe, "sim", "init", DEMO, "--tapes", "10", "--drives", "2")
    admin = DEMO / "bin" / "cta-admin"
    sh(admin, "tape", "ls", "--all")
    sh(admin, "drive", "ls")

    step("archive 8 generated files of 3 MiB and run the scheduler")
    sh(exe, "sim", "archive", DEMO, "--storageclass", "ctaops_sc", "--count", "8", "--size", "3MiB")
    sh(admin, "showqueues")
    sh(exe, "sim", "run", DEMO)
    sh(admin, "tapefile", "ls", "--vid", "V00001")

    step("verify the tape image against the catalogue (ctaops tape verify)")
    listing = DEMO / "V00001.tapefiles.json"
    listing.write_text(sh(admin, "--json", "tapefile", "ls", "--vid", "V00001", show=0))
    sh(exe, "tape", "verify", "--image", DEMO / "tapes" / "V00001.tap", "--vid", "V00001", "--catalogue", listing)
    ids = ",".join(str(r["af"]["archiveId"]) for r in json.loads(listing.read_text()))
    sh(DEMO / "bin" / "cta-verify-file", "--vid", "V00001", "--id", ids, show=3)

    step("repack V00001 into the repack pool")
    sh(admin, "tape", "ch", "--vid", "V00001", "--full", "true")
    sh(admin, "tape", "ch", "--vid", "V00001", "--state", "REPACKING", "--reason", "demo migration")
    sh(admin, "repack", "add", "--vid", "V00001", "--mountpolicy", "repack")
    sh(exe, "sim", "run", DEMO)
    sh(admin, "repack", "ls")
    sh(admin, "tapefile", "ls", "--vid", "V00005", show=4)
    atresys_cycle(exe, admin)
    operator_tools()
    eos_tools(exe, admin)
    data_monitoring()
    monitoring()
    print("\nThe instance stays in demo/: point any ops tool at it with -C demo/cta-ops-config.yaml.")


def atresys_cycle(exe: str, admin: Path) -> None:
    """ATRESYS takes a full tape from scan to its tolabel pool through a real repack."""
    step("ATRESYS: fill V00002 and mark it full")
    sh(exe, "sim", "archive", DEMO, "--storageclass", "ctaops_sc", "--count", "4", "--size", "2MiB", "--seed", "9")
    sh(exe, "sim", "run", DEMO)
    sh(admin, "tape", "ch", "--vid", "V00002", "--full", "true")
    # `sim init` wrote the whole ops config: ATRESYS's database, outputs, quarantine and tolabel pools
    cfg = DEMO / "cta-ops-config.yaml"
    bindir = Path(sys.executable).parent
    manager = str(bindir / "cta-ops-repack-manager")

    def atresys(name: str, *args: str, show: int = 12) -> str:
        return sh(str(bindir / f"cta-ops-repack-{name}"), "-C", cfg, *args, show=show)

    sh(manager, "-C", cfg, "db", "upgrade")
    step("ATRESYS: scan, prepare, start (tape to REPACKING, file list saved, repack add)")
    atresys("0-scan")
    atresys("1-prepare")
    atresys("2-start")
    sh(admin, "repack", "ls")
    step("ATRESYS: the simulator repacks; end records it; quarantine parks the tape")
    sh(exe, "sim", "run", DEMO)
    atresys("3-end")
    atresys("4-quarantine")
    step("ATRESYS: reclaim waits for CTA's recycle-log quarantine, then the simulated clock moves 40 days")
    atresys("5-reclaim")
    sh(exe, "sim", "run", DEMO, "--for", "1s", "--speed", str(40 * 86400 * 5))
    atresys("5-reclaim")
    atresys("6-finish")
    sh(admin, "tape", "ls", "--vid", "V00002")
    sh(manager, "-C", cfg, "ls")
    sh(manager, "-C", cfg, "history", "V00002")
    atresys("monitor", "--prometheus", "-", show=6)


def operator_tools() -> None:
    """cta-ops-admin (tables for people, a handler, a dry run) and pool supply on the instance."""
    bindir = Path(sys.executable).parent
    cfg = DEMO / "cta-ops-config.yaml"
    ops = str(bindir / "cta-ops-admin")
    step("cta-ops-admin: cta-admin's commands with tables for people, and the operator handlers")
    sh(ops, "-C", cfg, "tp", "ls", show=10)
    sh(ops, "-C", cfg, "tape", "summary", "V00001", show=16)
    sh(ops, "-C", cfg, "tape", "location", "V00001", "V00003")
    sh(ops, "-C", cfg, "tape", "label", "V00010", "--dry-run")
    step("cta-ops-pool-supply: ctaops_user now wants 3 partial tapes; a dry run, then the move")
    sh(DEMO / "bin" / "cta-admin", "tapepool", "ch", "--name", "ctaops_user", "--partialtapesnumber", "3")
    sh(bindir / "cta-ops-pool-supply", "-C", cfg, "--dry-run")
    sh(bindir / "cta-ops-pool-supply", "-C", cfg)


def monitoring() -> None:
    """List the Prometheus textfiles the tools left in global.metrics.textfile_dir; check them with promtool."""
    bindir = Path(sys.executable).parent
    cfg = DEMO / "cta-ops-config.yaml"
    step("monitoring: the drive tools write their textfiles too; every file is checked by promtool")
    sh(bindir / "cta-ops-drive-environmentals", "-C", cfg, "--output-file", "-", show=2)
    sh(bindir / "cta-ops-tape-alerting", "-C", cfg, show=2)
    files = sorted((DEMO / "metrics").glob("*.prom"))
    for f in files:
        lines = f.read_text().splitlines()
        samples = sum(1 for line in lines if line and not line.startswith("#"))
        print(f"  {f.relative_to(REPO)}: {samples} samples")
    promtool = shutil.which("promtool")
    if promtool is None:
        print("  (promtool is not installed: not checked)")
        return
    for f in files:
        r = subprocess.run(
            [promtool, "check", "metrics"], input=f.read_text(), capture_output=True, text=True, check=False
        )
        if r.returncode != 0:
            raise SystemExit(f"promtool check metrics {f}: {(r.stdout + r.stderr).strip()}")
    print(f"  promtool check metrics: all {len(files)} files pass")


def sh_status(*argv: str | Path, show: int = 12) -> int:
    """Like :func:`sh` for a command whose non-zero exit is part of the story (``--check``)."""
    print("$ " + " ".join(str(a) for a in argv))
    res = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    for line in (res.stdout + res.stderr).splitlines()[:show]:
        print("  " + line[:160])
    print(f"  (exit {res.returncode})")
    return res.returncode


def eos_tools(exe: str, admin: Path) -> None:
    """Serve the EOS namespace over HTTPS; look a path up and change a storage class, checked before and after."""
    bindir = Path(sys.executable).parent
    cfg = DEMO / "cta-ops-config.yaml"
    step("EOS tools: the disk instance's namespace over HTTPS (ctaops sim serve-eos)")
    server = subprocess.Popen([exe, "sim", "serve-eos", str(DEMO)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        print("  " + server.stdout.readline().strip())
        queued = json.loads(
            sh(exe, "sim", "archive", DEMO, "--storageclass", "ctaops_sc", "--count", "3", "--size", "1MiB")
        )
        ids = [int(i) for i in queued["archiveIds"]]
        sh(exe, "sim", "run", DEMO)
        sh(bindir / "cta-ops-get-path-from-eos", "-C", cfg, *(a for i in ids for a in ("--archive-id", str(i))))
        sh(
            admin,
            "storageclass",
            "add",
            "--name",
            "demo_sc",
            "--numberofcopies",
            "1",
            "--vo",
            "vo_user",
            "--comment",
            "demo",
        )
        dump = DEMO / "eos-dump.json"
        files = [json.loads(sh(admin, "--json", "tapefile", "ls", "--id", str(i), show=0))[0] for i in ids]
        lines = [
            json.dumps(
                {"fid": int(f["df"]["diskId"]), "archiveFileId": f["af"]["archiveId"], "storageclass": "demo_sc"}
            )
            for f in files
        ]
        dump.write_text("\n".join(lines) + "\n")
        tool = bindir / "cta-ops-change-storage-class"
        ids_file = DEMO / "eos-ids.txt"
        ids_file.write_text(f"{ids[0]}\n")
        step("EOS tools: CTA's class changed behind EOS's back; --check finds it, the tool repairs it")
        sh(admin, "archivefile", "ch", "--idfile", ids_file, "--storageclass", "demo_sc")
        sh_status(tool, "-C", cfg, "-l", dump, "-i", "eosctaops", "--check")
        sh(tool, "-C", cfg, "-l", dump, "-i", "eosctaops", "--dry-run")
        sh(tool, "-C", cfg, "-l", dump, "-i", "eosctaops")
        sh_status(tool, "-C", cfg, "-l", dump, "-i", "eosctaops", "--check")
    finally:
        server.terminate()
        server.wait(timeout=30)


def data_monitoring() -> None:
    """Show the daily and monthly totals of the demo's taped log (a dry run: the demo has no InfluxDB)."""
    cfg = DEMO / "cta-ops-config.yaml"
    step("cta-ops-data-monitoring: the sessions of demo/log/cta/cta-taped.log as InfluxDB points (--dry-run)")
    log = DEMO / "log" / "cta" / "cta-taped.log"
    sh("tail", "-n", "1", log, show=1)
    tool = Path(sys.executable).with_name("cta-ops-data-monitoring")
    sh(tool, "-C", cfg, "--taped-logs", log, "--dry-run", show=12)


if __name__ == "__main__":
    main()
