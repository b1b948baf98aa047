#!/usr/bin/env python3
"""Build the container image of packaging/container/Containerfile with buildah (`make container`).

    scripts/build_container.py [--wheel WHEEL] [--base local|IMAGE] [--tag TAG] [--deps-dir DIR]

No Docker daemon and no registry are needed: buildah runs rootful with the vfs storage driver and
chroot isolation (what works on a CI machine without systemd, cgroup delegation or overlay
mounts), its storage under $CTAOPS_CONTAINER_CACHE (default /var/cache/ctaops-containers), outside
the clone so that CI runs share it.

`--base local` (the default) is a Debian bookworm root file system made with debootstrap
(minbase, python3, python3-venv) and committed as `localhost/ctaops-base:<key>`, where the key
hashes its recipe: it is built once and reused until the recipe changes. Any other value is an
image reference passed to the Containerfile's BASE_IMAGE (a site's `docker.io/library/python:3.11-slim`).

The dependency wheels are the pins of requirements.txt (what the RPM ships), downloaded on the host
once per requirements.txt and mounted into the build, so the image's pip never reaches an index.
The build context is assembled in a temporary directory: the one wheel under dist/ and the
recipe's other COPY sources from this tree. Prints the image reference on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "packaging" / "container" / "Containerfile"
REQUIREMENTS = ROOT / "requirements.txt"
CACHE = Path(os.environ.get("CTAOPS_CONTAINER_CACHE", "/var/cache/ctaops-containers"))
DEFAULT_TAG = "localhost/ctaops:latest"

SUITE = "bookworm"
VARIANT = "minbase"
BASE_PACKAGES = ("python3", "python3-venv")
BASE_REPOSITORY = "localhost/ctaops-base"
BASE_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8")
# Left out of the base's layer: package downloads and indexes debootstrap leaves behind.
BASE_PRUNE = ("var/cache/apt/archives", "var/lib/apt/lists")
DEPS_IN_BUILD = "/mnt/ctaops-deps"  # where the build mounts them, only during RUN


class BuildError(RuntimeError):
    """The image could not be built (a missing tool, no wheel, a failed step)."""


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "(no output)"


def _log(msg: str) -> None:
    print(f"build_container: {msg}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Buildah:
    """buildah with this project's storage: rootful, vfs, chroot isolation for RUN."""

    cache: Path = CACHE

    def argv(self, *args: str) -> list[str]:
        """Return the buildah command line for `args`, with the storage options first."""
        storage = ["--storage-driver", "vfs", "--root", str(self.cache / "storage")]
        return ["buildah", *storage, "--runroot", str(self.cache / "run"), *args]

    def __call__(self, *args: str, log: bool = False) -> str:
        """Run one buildah command; return its stdout, or send its output to stderr when `log`."""
        r = subprocess.run(
            self.argv(*args),
            stdout=sys.stderr if log else subprocess.PIPE,
            stderr=None if log else subprocess.PIPE,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            detail = "" if log else f": {_last_line(r.stderr)}"
            raise BuildError(f"buildah {args[0]} failed (exit {r.returncode}){detail}")
        return "" if log else r.stdout

    def image_id(self, ref: str) -> str | None:
        """Return the ID of the local image `ref`, None when there is none."""
        r = subprocess.run(
            self.argv("inspect", "--type", "image", "--format", "{{.FromImageID}}", ref),
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            return None  # no such image
        return r.stdout.strip() or None

    def start(self, image: str) -> str:
        """Create a working container of the local `image` (buildah from), for `run` and `remove`."""
        return self("from", "--quiet", "--pull=never", image).strip()

    def run(
        self, container: str, argv: Sequence[str], volumes: Iterable[str] = (), env: Iterable[str] = ()
    ) -> subprocess.CompletedProcess[str]:
        """`argv` in the container, as the image's USER, in its WORKDIR; never raises on exit status."""
        opts = [f"--volume={v}" for v in volumes] + [f"--env={e}" for e in env]
        return subprocess.run(
            self.argv("run", "--isolation", "chroot", *opts, container, "--", *argv),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def mount(self, container: str) -> Path:
        """Mount a working container's root file system on the host and return where."""
        return Path(self("mount", container).strip())

    def unmount(self, container: str) -> None:
        """Undo `mount`."""
        self("umount", container)

    def remove(self, container: str) -> None:
        """Delete a working container (buildah rm); a missing one is not an error."""
        subprocess.run(self.argv("rm", container), capture_output=True, check=False)


def debian_mirror() -> str:
    """Return the host's own Debian mirror (reachable from here), else deb.debian.org."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        for line in legacy.read_text().splitlines():
            parts = line.split()
            if len(parts) > 1 and parts[0] == "deb":
                return parts[1]
    return "http://deb.debian.org/debian"


def base_key() -> str:
    """Hash of everything that goes into the local base image."""
    h = hashlib.sha256()
    for part in (SUITE, VARIANT, *BASE_PACKAGES, *BASE_ENV, *BASE_PRUNE):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def _need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        raise BuildError(f"{tool} is not installed (Debian: apt-get install {package})")


def local_base(buildah: Buildah) -> str:
    """Return the cached Debian base for the current recipe, building it (debootstrap) when there is none."""
    ref = f"{BASE_REPOSITORY}:{base_key()}"
    if buildah.image_id(ref):
        _log(f"base image {ref}: cached")
        return ref
    _need("debootstrap", "debootstrap")
    started = time.monotonic()
    mirror = debian_mirror()
    _log(f"building base image {ref} (debootstrap {SUITE} {VARIANT} from {mirror})")
    buildah.cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="base-", dir=buildah.cache))
    container = ""
    try:
        root = staging / "root"
        r = subprocess.run(
            ["debootstrap", f"--variant={VARIANT}", f"--include={','.join(BASE_PACKAGES)}", SUITE, str(root), mirror],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            raise BuildError(f"debootstrap failed (exit {r.returncode}): {_last_line(r.stdout + r.stderr)}")
        for rel in BASE_PRUNE:
            for entry in (root / rel).iterdir():
                if entry.is_file():
                    entry.unlink()
        # A tar keeps owners and modes (buildah add unpacks archives as they are; a directory
        # copy would make everything root's, /etc/shadow's group included).
        rootfs = staging / "rootfs.tar"
        subprocess.run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(rootfs), "."], check=True)
        shutil.rmtree(root)
        container = buildah("from", "--quiet", "scratch").strip()
        buildah("add", container, str(rootfs), "/")
        env = [f"--env={e}" for e in BASE_ENV]
        buildah("config", *env, "--cmd=/bin/bash", f"--label=org.ctaops.base-recipe={base_key()}", container)
        buildah("commit", "--quiet", "--rm", container, ref)
        container = ""
    finally:
        if container:
            buildah.remove(container)
        shutil.rmtree(staging, ignore_errors=True)
    _log(f"base image built in {time.monotonic() - started:.0f} s")
    return ref


def dependency_wheels(cache: Path) -> Path:
    """Return the directory of the pinned dependency wheels, downloaded once per requirements.txt."""
    text = REQUIREMENTS.read_bytes()
    deps = cache / "deps" / hashlib.sha256(text).hexdigest()[:16]
    if any(deps.glob("*.whl")):
        return deps
    staging = Path(tempfile.mkdtemp(prefix="deps-", dir=cache))
    try:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--only-binary=:all:",
                "-d",
                str(staging),
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            raise BuildError(f"pip download -r requirements.txt failed: {_last_line(r.stderr)}")
        deps.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(deps)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return deps


def copy_sources() -> list[str]:
    """List the recipe's COPY sources outside dist/ (the wheel comes separately)."""
    text = re.sub(r"\\\n", " ", RECIPE.read_text())
    sources: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0].upper() == "COPY":
            sources += [w for w in words[1:-1] if not w.startswith("dist/")]
    return sources


def build(wheel: Path, base: str, tag: str, deps: Path | None, buildah: Buildah) -> str:
    """Build the image and return its reference; an earlier image of the same tag is removed."""
    _need("buildah", "buildah")
    if os.geteuid() != 0:
        raise BuildError("buildah runs rootful here (vfs storage under /var/cache): run as root")
    if not wheel.is_file():
        raise BuildError(f"no wheel at {wheel}")
    buildah.cache.mkdir(parents=True, exist_ok=True)
    base_ref = local_base(buildah) if base == "local" else base
    deps = deps or dependency_wheels(buildah.cache)
    previous = buildah.image_id(tag)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="context-", dir=buildah.cache) as tmp:
        context = Path(tmp)
        (context / "dist").mkdir()
        shutil.copy2(wheel, context / "dist" / wheel.name)
        for source in copy_sources():
            (context / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, context / source)
        buildah(
            "build",
            "--isolation=chroot",
            f"--build-arg=BASE_IMAGE={base_ref}",
            f"--build-arg=PIP_INSTALL_OPTIONS=--no-index --find-links {DEPS_IN_BUILD}",
            f"--volume={deps.resolve()}:{DEPS_IN_BUILD}:ro",
            f"--file={RECIPE}",
            f"--tag={tag}",
            str(context),
            log=True,
        )
    current = buildah.image_id(tag)
    if previous and previous != current:
        # vfs keeps full copies: a superseded image would otherwise stay on disk as <none>.
        subprocess.run(buildah.argv("rmi", previous), capture_output=True, check=False)
    _log(f"image {tag} built in {time.monotonic() - started:.0f} s")
    return tag


def _newest_wheel() -> Path:
    wheels = sorted((ROOT / "dist").glob("ctaops-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise BuildError("no dist/ctaops-*.whl: run `make wheel` or pass --wheel")
    return wheels[-1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--wheel", type=Path, help="the ctaops wheel (default: the newest dist/ctaops-*.whl)")
    parser.add_argument("--base", default="local", help="`local` (debootstrap, cached) or a base image reference")
    parser.add_argument("--tag", default=DEFAULT_TAG, help=f"image reference to build (default: {DEFAULT_TAG})")
    parser.add_argument("--deps-dir", type=Path, help="dependency wheels to install (default: requirements.txt's)")
    args = parser.parse_args(argv)
    try:
        ref = build(args.wheel or _newest_wheel(), args.base, args.tag, args.deps_dir, Buildah())
    except BuildError as e:
        print(f"build_container: {e}", file=sys.stderr)
        return 1
    print(ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
