"""Tape drives: identity, status, TapeAlert, environment, cartridge memory, load/unload."""

from __future__ import annotations

from ctaops.drive import CartridgeMemory, Drive, DriveStatus
from ctaops.localdrives import LocalDrive, LocalSetup, find_local, local_drives

__all__ = ["CartridgeMemory", "Drive", "DriveStatus", "LocalDrive", "LocalSetup", "find_local", "local_drives"]
