"""Device discovery without lsscsi/sg_map: which /dev/sg is a changer, /dev/nst <-> drive serial (sysfs)."""

from __future__ import annotations

from ctaops.drive import ScsiDevice, changers, discover, drive_by_serial, tape_drives

__all__ = ["ScsiDevice", "changers", "discover", "drive_by_serial", "tape_drives"]
