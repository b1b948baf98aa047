"""Tape libraries (media changers): inventory, locate, mount, unmount, export, import."""

from __future__ import annotations

from ctaops.library import CONFIG_SECTION, Element, Inventory, Library

__all__ = ["CONFIG_SECTION", "Element", "Inventory", "Library"]
