"""``cta-ops-drive-config-generate``: cta-taped drive settings for this tape server's drives.

For each local drive: its serial (VPD 0x80, from sysfs) gives its ordinal in the changer (DVCID
of READ ELEMENT STATUS: ``DriveControlPath`` ``smc<ordinal>``) and its physical position in the
library's configuration export in ``library_config_dir`` (TS4500: JSON, Spectra: XML), from
which the name ``<LIBRARY>-<MODEL>-F<frame>C<column>R<row>`` (IBM) or
``<LIBRARY>-<MODEL>-F<frame, 2 digits>B<bay>S<slot>`` (Spectra) is built. The model comes from
``global.tape.tape_drive_types`` (SCSI product → model), else from the product name itself.

Export formats read (the keys are matched case-insensitively):

* TS4500 (``*.json``): ``{"library": {"name": ..., "serialNumber": ...}, "drives": [{"serialNumber":
  ..., "location": "F14C2R1" | "drive_F14C2R1"}, ...]}``; a bare list of drives, and the keys
  ``sn``/``serial`` or ``frame``/``column``/``row`` are accepted too.
* Spectra (``*.xml``): a root with a ``name`` attribute (or ``<libraryName>``), ``<drive>``
  elements with ``<serialNumber>`` and ``<ID>FR5/DBA3/fLTO-DRV4</ID>`` (frame, bay, slot) or
  ``<frame>``/``<bay>``/``<slot>``.

Without a library name in the file, the file's name (``IBMLIB4.json``) is the library name.

Exit codes (ops-tools §9.7): 1 unexpected error, 2 a drive is not in the library's drive list
(output ``{}``), 3 a drive or the changer is probably busy (retry when free).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctaops import _toolcli
from ctaops.errors import DeviceBusyError, ReservationConflictError, ScsiTimeoutError
from ctaops.localdrives import LocalSetup, find_local
from ctaops.utils.files import write_atomic

PROG = "cta-ops-drive-config-generate"
TOOL = "cta-ops-drive-config-generate"

DEFAULT_CONFIG_DIR = "/etc/cta-ops/library_drive_config"

EXIT_UNEXPECTED = 1
EXIT_NOT_IN_LIBRARY = 2
EXIT_BUSY = 3


@dataclass(frozen=True)
class Position:
    """A drive's place in the library, from the library's configuration export."""

    library: str
    serial: str
    naming: str
    """``ibm`` (frame/column/row) or ``spectra`` (frame/bay/slot)."""
    frame: int
    second: int
    third: int

    def suffix(self) -> str:
        """``F14C2R1`` or ``F05B3S4``."""
        if self.naming == "spectra":
            return f"F{self.frame:02d}B{self.second}S{self.third}"
        return f"F{self.frame}C{self.second}R{self.third}"


def library_type(vendor: str, product: str) -> str:
    """``ibm`` for IBM 3584/TS4500 changers, ``spectra`` for Spectra Logic; else an error."""
    v, p = vendor.strip().upper(), product.strip().upper()
    if v == "IBM" and (p.startswith("03584") or p.startswith("3584")):
        return "ibm"
    if v.startswith("SPECTRA"):
        return "spectra"
    raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"unsupported library type {vendor.strip()} {product.strip()}")


def _lower_keys(d: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in d.items()}


_IBM_LOCATION = re.compile(r"F(\d+)\s*C(\d+)\s*R(\d+)", re.IGNORECASE)
_SPECTRA_ID = re.compile(r"FR?(\d+)\D+?(\d+)\D+?(\d+)\s*$", re.IGNORECASE)


def _ibm_record(raw: Mapping[str, Any], library: str, origin: str) -> Position:
    d = _lower_keys(raw)
    serial = str(d.get("serialnumber") or d.get("sn") or d.get("serial") or "").strip()
    if not serial:
        raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: a drive entry has no serial number")
    if all(k in d for k in ("frame", "column", "row")):
        f, c, r = int(d["frame"]), int(d["column"]), int(d["row"])
    else:
        m = _IBM_LOCATION.search(str(d.get("location", "")))
        if m is None:
            raise _toolcli.ToolExit(
                EXIT_UNEXPECTED, f"{origin}: drive {serial} has no F<frame>C<column>R<row> location"
            )
        f, c, r = (int(x) for x in m.groups())
    return Position(library, serial, "ibm", f, c, r)


def parse_ts4500(text: str, origin: str) -> list[Position]:
    """Drive positions from a TS4500 JSON export (see the module docstring)."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: not JSON: {e}") from None
    name = Path(origin).stem
    drives: Any = doc
    if isinstance(doc, Mapping):
        d = _lower_keys(doc)
        lib = d.get("library")
        if isinstance(lib, Mapping):
            name = str(_lower_keys(lib).get("name") or name)
        name = str(d.get("libraryname") or name)
        drives = d.get("drives", [])
    if not isinstance(drives, list) or not all(isinstance(x, Mapping) for x in drives):
        raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: expected a list of drives")
    return [_ibm_record(x, name, origin) for x in drives]


def _child_text(e: ET.Element, tag: str) -> str | None:
    for c in e:
        if c.tag.lower() == tag.lower() and c.text is not None:
            return c.text.strip()
    return e.get(tag)


def parse_spectra(text: str, origin: str) -> list[Position]:
    """Drive positions from a Spectra XML export (see the module docstring)."""
    try:
        root = ET.fromstring(text)  # noqa: S314  (the operator's own export file, not remote input)
    except ET.ParseError as e:
        raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: not XML: {e}") from None
    name = root.get("name") or _child_text(root, "libraryName") or Path(origin).stem
    out = []
    for d in root.iter():
        if d.tag.lower() != "drive":
            continue
        serial = _child_text(d, "serialNumber") or ""
        if not serial:
            raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: a drive entry has no serialNumber")
        parts = [_child_text(d, k) for k in ("frame", "bay", "slot")]
        if all(parts):
            f, b, s = (int(str(x)) for x in parts)
        else:
            m = _SPECTRA_ID.search(_child_text(d, "ID") or "")
            if m is None:
                raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"{origin}: drive {serial} has no frame/bay/slot ID")
            f, b, s = (int(x) for x in m.groups())
        out.append(Position(name, serial, "spectra", f, b, s))
    return out


def load_positions(directory: str | os.PathLike[str], kind: str) -> list[Position]:
    """Every drive position in the exports of ``kind`` (``ibm``: ``*.json``, ``spectra``: ``*.xml``)."""
    d = Path(directory)
    if not d.is_dir():
        raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"library_config_dir {d} is not a directory")
    ext, parse = (".json", parse_ts4500) if kind == "ibm" else (".xml", parse_spectra)
    out: list[Position] = []
    for f in sorted(d.iterdir()):
        if f.suffix.lower() == ext and f.is_file():
            out.extend(parse(f.read_text(encoding="utf-8", errors="replace"), str(f)))
    return out


def same_serial(a: str, b: str) -> bool:
    """Compare serials as drives pad them: trimmed, and suffix either way."""
    a, b = a.strip(), b.strip()
    return bool(a and b) and (a == b or a.endswith(b) or b.endswith(a))


_BUILTIN_MODELS = (
    (re.compile(r"ULT3580-(?:TD|HH)(\d+)"), "LTO{}"),
    (re.compile(r"3588-F(\d)C"), "LTO{}"),
    (re.compile(r"3592-(\d\d)[A-Z]"), "TS11{}"),
)


def drive_model(product: str, configured: Iterable[tuple[str, str]]) -> str:
    """Model of a drive: ``global.tape.tape_drive_types`` first, then the well-known IBM names."""
    p = product.strip()
    for name, model in configured:
        if name == p:
            return model
    for pattern, fmt in _BUILTIN_MODELS:
        m = pattern.fullmatch(p)
        if m:
            return fmt.format(m.group(1))
    raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"unknown drive model {p!r}: add it to global.tape.tape_drive_types")


def generate(
    setup: LocalSetup,
    positions: list[Position],
    drive_types: Iterable[tuple[str, str]],
    legacy_map: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """Build the ``{"tape_drives": [...]}`` document; ``legacy_map``: computed → legacy logical library."""
    types = list(drive_types)
    inv = setup.library.inventory()
    out = []
    for drive in sorted(setup.drives, key=lambda d: (d.device, d.serial)):
        ordinal = next(
            (i for i, e in enumerate(inv.drives) if e.drive_serial and same_serial(e.drive_serial, drive.serial)),
            None,
        )
        if ordinal is None:
            raise _toolcli.ToolExit(
                EXIT_NOT_IN_LIBRARY, f"drive {drive.serial} ({drive.device}) is not in the changer's drive list"
            )
        pos = next((p for p in positions if same_serial(p.serial, drive.serial)), None)
        if pos is None:
            raise _toolcli.ToolExit(
                EXIT_NOT_IN_LIBRARY, f"drive {drive.serial} ({drive.device}) is not in the library configuration export"
            )
        model = drive_model(drive.product, types)
        logical = f"{pos.library}-{model}"
        if legacy_map is not None:
            mapped = legacy_map.get(logical)
            if mapped is None:
                raise _toolcli.ToolExit(EXIT_UNEXPECTED, f"no global.tape.drive_to_lib_map entry for {logical}")
            logical = mapped
        out.append(
            {
                "DriveLogicalLibrary": logical,
                "DriveName": f"{pos.library}-{model}-{pos.suffix()}",
                "DriveDevice": drive.device,
                "DriveControlPath": f"smc{ordinal}",
            }
        )
    return {"tape_drives": out}


def _write(text: str, output_file: str | None) -> None:
    if output_file is None:
        print(text)
        return
    write_atomic(output_file, text + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the tool; see the module docstring."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --help fast)

    p = _toolcli.parser(PROG, "Generate the cta-taped drive configuration (JSON) of this tape server.")
    p.add_argument("--use-legacy-mapping", action="store_true", help="map logical libraries via drive_to_lib_map")
    p.add_argument("-o", "--output-file", help="write the JSON here (atomically) instead of stdout")
    p.add_argument(
        "--library-config-dir",
        help="directory of the library exports (default: tools.cta-ops-drive-config-generate.library_config_dir, "
        f"else {DEFAULT_CONFIG_DIR})",
    )
    p.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    config = load_config(args.config_file, TOOL)
    log = _toolcli.setup_logging(PROG, args.verbose, config=config, log_json=args.log_json)
    directory = args.library_config_dir or str(config.tool_value("library_config_dir") or DEFAULT_CONFIG_DIR)
    try:
        setup = find_local(config, args.sysfs)
        log.info("get_scsi_media_changer: %s", setup.changer)
        inv = setup.library.inventory()
        kind = library_type(inv.vendor, inv.product)
        log.info("get_library_type: %s-%s-%s", inv.vendor, inv.product, setup.library.serial())
        log.info("get_connected_drive_devices: %s", [d.sg or d.device for d in setup.drives])
        positions = load_positions(directory, kind)
        legacy = dict(config.tape.drive_to_lib_map) if args.use_legacy_mapping else None
        types = [(t.name, t.model) for t in config.tape.tape_drive_types]
        doc = generate(setup, positions, types, legacy)
    except (DeviceBusyError, ReservationConflictError, ScsiTimeoutError) as e:
        raise _toolcli.ToolExit(EXIT_BUSY, f"drive or changer busy, retry when free: {e}") from None
    except _toolcli.ToolExit as e:
        if e.code == EXIT_NOT_IN_LIBRARY:
            _write("{}", args.output_file)
        raise
    for d in doc["tape_drives"]:
        log.info("map_changer_device_to_nst: %s -> %s", d["DriveName"], d["DriveDevice"])
    _write(json.dumps(doc), args.output_file)
    log.info("%d drive(s) written to %s", len(doc["tape_drives"]), args.output_file or "stdout")
    return 0


def console() -> None:
    """Console-script entry point."""
    _toolcli.run(PROG, main)


__all__ = ["Position", "drive_model", "generate", "library_type", "load_positions", "parse_spectra", "parse_ts4500"]
