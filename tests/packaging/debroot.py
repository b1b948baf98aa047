"""A throwaway Debian bookworm root to install the .deb into, from a cached tar of a debootstrap.

The tar is cached in $CTAOPS_DEB_CACHE (default /var/cache/ctaops-deb) under the key of the
container build's local base (scripts/build_container.py: bookworm, minbase, python3 and
python3-venv), since it is the same recipe. It is made once, from the cheapest source there is:
that base image when `make container` has already built it (buildah storage under
$CTAOPS_CONTAINER_CACHE), else debootstrap from the host's Debian mirror. Each test then unpacks
it (a few seconds) into its own directory.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("CTAOPS_DEB_CACHE", "/var/cache/ctaops-deb"))


class NoRoot(RuntimeError):
    """No cached root and no way to make one (no buildah base, no debootstrap)."""


def build_container_module() -> ModuleType:
    """Load scripts/build_container.py (a script, not a package module), once."""
    if "build_container" in sys.modules:
        return sys.modules["build_container"]
    spec = importlib.util.spec_from_file_location("build_container", ROOT / "scripts" / "build_container.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_container"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _from_base_image(bc: ModuleType, tar: Path) -> bool:
    """Write the container build's cached base image as `tar`; False when it has none."""
    if shutil.which("buildah") is None:
        return False
    buildah = bc.Buildah()
    ref = f"{bc.BASE_REPOSITORY}:{bc.base_key()}"
    if not buildah.image_id(ref):
        return False
    container = buildah.start(ref)
    try:
        mounted = buildah.mount(container)
        try:
            subprocess.run(["tar", "--numeric-owner", "-C", str(mounted), "-cf", str(tar), "."], check=True)
        finally:
            buildah.unmount(container)
    finally:
        buildah.remove(container)
    return True


def _from_debootstrap(bc: ModuleType, tar: Path) -> None:
    if shutil.which("debootstrap") is None:
        raise NoRoot("no cached Debian root and debootstrap is not installed (apt-get install debootstrap)")
    work = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=CACHE))
    try:
        packages = ",".join(bc.BASE_PACKAGES)
        argv = ["debootstrap", f"--variant={bc.VARIANT}", f"--include={packages}", bc.SUITE, str(work / "root")]
        r = subprocess.run([*argv, bc.debian_mirror()], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise NoRoot(f"debootstrap failed (exit {r.returncode}): {(r.stdout + r.stderr).strip()[-300:]}")
        subprocess.run(["tar", "--numeric-owner", "-C", str(work / "root"), "-cf", str(tar), "."], check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def base_tar() -> Path:
    """Return the cached tar of the bookworm root, making it when there is none."""
    bc = build_container_module()
    tar = CACHE / f"bookworm-{bc.VARIANT}-{bc.base_key()}.tar"
    if tar.exists():
        return tar
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = tar.with_suffix(f".{os.getpid()}.partial")
    try:
        if not _from_base_image(bc, partial):
            _from_debootstrap(bc, partial)
        partial.rename(tar)  # whole or not at all: a concurrent or killed run never sees half a tar
    finally:
        partial.unlink(missing_ok=True)
    return tar


def unpack(dest: Path) -> Path:
    """Unpack a fresh bookworm root into `dest`, ready for `chroot dest dpkg -i`."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "--numeric-owner", "-C", str(dest), "-xf", str(base_tar())], check=True)
    # An image's /dev is empty: the maintainer scripts and the tools write to /dev/null.
    null = dest / "dev" / "null"
    if not null.exists():
        null.parent.mkdir(exist_ok=True)
        subprocess.run(["mknod", "-m", "0666", str(null), "c", "1", "3"], check=True)
    return dest
