"""Builds the virtual tape libraries of libraries.json with tgt and logs in to them over iSCSI.

Runs inside the guest as root with the system Python (no third-party module). Writes the device
map (which /dev/sgN is which changer, which /dev/nstN is which drive element) to DEVICES_JSON for
the guest tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAYOUT = HERE / "libraries.json"
MEDIA = Path("/var/lib/ctaops-vtl")
DEVICES_JSON = Path("/run/ctaops-vm/devices.json")
ELEMENT_TYPES = {"transport": 1, "slots": 2, "ports": 3, "drives": 4}


def sh(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"vtl: {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def tgtadm(*args: str) -> None:
    sh("tgtadm", "--lld", "iscsi", *args)


def logical_unit(op: str, tid: int, lun: int, *args: str) -> None:
    tgtadm("--mode", "logicalunit", "--op", op, "--tid", str(tid), "--lun", str(lun), *args)


def new_cartridge(path: Path, barcode: str, mib: int, kind: str = "data") -> None:
    sh(
        "tgtimg",
        "--op",
        "new",
        "--device-type",
        "tape",
        "--barcode",
        barcode,
        "--size",
        str(mib),
        "--type",
        kind,
        "--file",
        str(path),
    )


def build(layout: dict, tid: int, lib: dict) -> None:
    home = MEDIA / lib["name"]
    home.mkdir(parents=True, exist_ok=True)
    mib = int(os.environ.get("CTAOPS_VTL_CARTRIDGE_MIB") or layout["cartridge_mib"])
    for barcode in lib["slot_cartridges"] + lib["port_cartridges"]:
        new_cartridge(home / barcode, barcode, mib)
    # An empty drive still needs a backing file; tgt swaps in the cartridge on MOVE MEDIUM.
    new_cartridge(home / "empty-drive", "", 1, "clean")
    tgtadm("--op", "new", "--mode", "target", "--tid", str(tid), "-T", lib["iqn"])
    drive_start, drive_count = lib["drives"]
    for i in range(drive_count):
        logical_unit("new", tid, i + 1, "-b", str(home / "empty-drive"), "--device-type=tape")
        params = (
            f"vendor_id={lib['drive_vendor']},product_id={lib['drive_product']},"
            f"scsi_sn={lib['drive_serials'][i]},online=0"
        )
        logical_unit("update", tid, i + 1, "--params", params)
    changer = drive_count + 1
    # tgt's smc backing store only has to exist; the element state lives in tgtd.
    (home / "changer-state").write_bytes(bytes(1024))
    logical_unit("new", tid, changer, "-b", str(home / "changer-state"), "--device-type=changer")

    def update(params: str) -> None:
        logical_unit("update", tid, changer, "--params", params)

    update(f"vendor_id={lib['vendor']},product_id={lib['product']},scsi_sn={lib['serial']}")
    update(f"media_home={home}")
    for key, ty in ELEMENT_TYPES.items():
        start, quantity = lib[key]
        update(f"element_type={ty},start_address={start},quantity={quantity}")
    for i in range(drive_count):
        update(f"element_type=4,address={drive_start + i},tid={tid},lun={i + 1}")
    slot_start = lib["slots"][0]
    for i, barcode in enumerate(lib["slot_cartridges"]):
        update(f"element_type=2,address={slot_start + i},barcode={barcode},sides=1")
    port_start = lib["ports"][0]
    for i, barcode in enumerate(lib["port_cartridges"]):
        update(f"element_type=3,address={port_start + i},barcode={barcode},sides=1")
    tgtadm("--op", "bind", "--mode", "target", "--tid", str(tid), "-I", "ALL")


def scsi_devices() -> list[dict]:
    """Every SCSI device of an iSCSI session: target name, LUN, type, sg and st nodes."""
    found = []
    for sg in sorted(Path("/sys/class/scsi_generic").iterdir()):
        dev = (sg / "device").resolve()
        hctl = dev.name.split(":")
        session = next((p for p in dev.parents if p.name.startswith("session")), None)
        if session is None:
            continue
        target = Path("/sys/class/iscsi_session", session.name, "targetname").read_text().strip()
        tape = sorted((dev / "scsi_tape").glob("nst*")) if (dev / "scsi_tape").exists() else []
        found.append(
            {
                "target": target,
                "lun": int(hctl[3]),
                "type": int((dev / "type").read_text()),
                "sg": f"/dev/{sg.name}",
                "nst": f"/dev/{tape[0].name}" if tape else None,
                "st": f"/dev/{tape[0].name[1:]}" if tape else None,
            }
        )
    return found


def device_map(layout: dict) -> dict:
    devices = scsi_devices()
    out = {"libraries": []}
    for lib in layout["libraries"]:
        mine = [d for d in devices if d["target"] == lib["iqn"]]
        changer = [d for d in mine if d["type"] == 8]
        if len(changer) != 1:
            raise SystemExit(f"vtl: {lib['name']}: expected one changer, found {mine}")
        drives = []
        for i in range(lib["drives"][1]):
            d = next((d for d in mine if d["lun"] == i + 1 and d["type"] == 1), None)
            if d is None or d["nst"] is None:
                raise SystemExit(f"vtl: {lib['name']}: drive LUN {i + 1} has no st node: {mine}")
            drives.append({**d, "element": lib["drives"][0] + i, "ordinal": i, "serial": lib["drive_serials"][i]})
        out["libraries"].append(
            {**lib, "changer": changer[0]["sg"], "drive_devices": drives, "media_home": str(MEDIA / lib["name"])}
        )
    return out


def setup() -> None:
    layout = json.loads(LAYOUT.read_text())
    MEDIA.mkdir(parents=True, exist_ok=True)
    subprocess.Popen(["tgtd", "--iscsi", "portal=127.0.0.1:3260"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if (
            subprocess.run(
                ["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "sys"], capture_output=True, check=False
            ).returncode
            == 0
        ):
            break
        time.sleep(0.1)
    for tid, lib in enumerate(layout["libraries"], start=1):
        build(layout, tid, lib)
    Path("/run/lock/iscsi").mkdir(parents=True, exist_ok=True)
    sh("iscsid")
    time.sleep(1)
    sh("iscsiadm", "-m", "discovery", "-t", "st", "-p", "127.0.0.1")
    # A target that stops answering fails the I/O after 15 s of session recovery instead of the
    # default 120 s, so that test_timeouts.py can show every command ending (see its docstring).
    sh("iscsiadm", "-m", "node", "-o", "update", "-n", "node.session.timeo.replacement_timeout", "-v", "15")
    sh("iscsiadm", "-m", "node", "--login")
    wanted = sum(lib["drives"][1] + 1 for lib in layout["libraries"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        devs = scsi_devices()
        tapes = [d for d in devs if d["type"] == 1]
        if len(devs) >= wanted and all(d["nst"] and Path(d["nst"]).exists() for d in tapes):
            break
        time.sleep(0.2)
    DEVICES_JSON.parent.mkdir(parents=True, exist_ok=True)
    DEVICES_JSON.write_text(json.dumps(device_map(layout), indent=1))
    print(f"vtl: {len(layout['libraries'])} libraries ready, map in {DEVICES_JSON}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["setup"] or os.geteuid() != 0:
        raise SystemExit("usage (as root, in the guest): vtl.py setup")
    setup()
