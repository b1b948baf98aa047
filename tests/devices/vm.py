"""The kernel-in-the-loop test bed: a Debian guest under QEMU whose kernel drives tgt's tape library.

The guest image is built once with debootstrap and cached outside the work tree, under a key made
of everything that goes into it (suite, packages, the init stub), so a change to the recipe builds
a new image and an unchanged recipe reuses the old one. Each boot runs the image as a snapshot (no
run changes it) and shares one host directory with the guest over 9p: the freshly built binary and
wheel go in, the guest's test results and logs come out.

Run as a module for the developer loop:

    python -m tests.devices.vm build              # build (or find) the image, print its directory
    python -m tests.devices.vm test  BIN WHEEL    # boot, run the guest suite, print the summary
    python -m tests.devices.vm serve BIN WHEEL    # boot and run scripts dropped into WORK/cmd/
    python -m tests.devices.vm systemd BIN WHEEL  # boot with systemd as PID 1, check the units
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.packaging.debroot import build_container_module

HERE = Path(__file__).resolve().parent
GUEST_DIR = HERE / "guest"
UNITS_DIR = HERE.parents[1] / "packaging" / "systemd"
REQUIREMENTS = HERE.parents[1] / "requirements.txt"
CACHE_ROOT = Path(os.environ.get("CTAOPS_VM_CACHE", "/var/cache/ctaops-vm"))
SUITE = "bookworm"

# What the guest runs: the kernel's sg/st/ch drivers, tgt's SMC and SSC emulation behind open-iscsi,
# the independent tools to cross-check against (mtx, mt-st, sg3-utils), Python for the wheel, and
# systemd as PID 1 for the scheduling mode (the other modes boot the init stub and never start it).
GUEST_PACKAGES = (
    "linux-image-amd64",
    "systemd",
    "systemd-sysv",
    "dbus",
    "initramfs-tools",
    "kmod",
    "udev",
    "iproute2",
    "procps",
    "tgt",
    "open-iscsi",
    "sg3-utils",
    "lsscsi",
    "mt-st",
    "mtx",
    "python3",
    "python3-venv",
    "python3-pytest",
    "python3-typing-extensions",
    "python3-tabulate",
)
HOST_PACKAGES = {"qemu-system-x86_64": "qemu-system-x86", "debootstrap": "debootstrap", "mkfs.ext4": "e2fsprogs"}

# The only file baked into the image besides packages: mount the 9p share and hand over to the
# boot script that comes with it, so test changes never need a new image.
INIT_STUB = """#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
modprobe 9pnet_virtio
modprobe 9p
mkdir -p /work
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=none work /work; then
    exec /bin/sh /work/guest/boot.sh
fi
echo "ctaops-vm: cannot mount the work share" > /dev/console
echo o > /proc/sysrq-trigger
"""
IMAGE_SIZE = "6G"
GUEST_MEMORY_MB = 1536


class VmError(RuntimeError):
    """The test bed could not be built or booted (not a test failure)."""


@dataclass(frozen=True)
class Image:
    """A built guest: kernel, initrd and root file system image."""

    directory: Path

    @property
    def kernel(self) -> Path:
        return self.directory / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.directory / "initrd.img"

    @property
    def rootfs(self) -> Path:
        return self.directory / "rootfs.img"


def recipe_key() -> str:
    """Hash of everything that goes into the image."""
    h = hashlib.sha256()
    h.update(SUITE.encode())
    h.update("\n".join(GUEST_PACKAGES).encode())
    h.update(INIT_STUB.encode())
    h.update(IMAGE_SIZE.encode())
    return h.hexdigest()[:16]


def _log(msg: str) -> None:
    print(f"ctaops-vm: {msg}", file=sys.stderr, flush=True)


def ensure_host_tools() -> None:
    """Installs QEMU, debootstrap and e2fsprogs from Debian's packages when missing (as CI does)."""
    missing = [pkg for tool, pkg in HOST_PACKAGES.items() if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise VmError(f"missing host packages {' '.join(missing)} and not root to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _log(f"installing {' '.join(missing)}")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def build_image(cache_root: Path = CACHE_ROOT) -> Image:
    """Returns the cached image for the current recipe, building it first when there is none."""
    image = Image(cache_root / recipe_key())
    if (image.directory / "complete").exists():
        return image
    ensure_host_tools()
    if os.geteuid() != 0:
        raise VmError("building the guest image needs root (debootstrap, mkfs.ext4 -d)")
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=cache_root))
    try:
        root = staging / "root"
        started = time.monotonic()
        _log(f"building the guest image in {image.directory} (debootstrap {SUITE})")
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(GUEST_PACKAGES)}",
                SUITE,
                str(root),
                build_container_module().debian_mirror(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stub = root / "sbin" / "ctaops-vm-init"
        stub.write_text(INIT_STUB)
        stub.chmod(0o755)
        # tgtd and iscsid come up by hand in boot.sh; keep the packaged units from mattering.
        kernel = sorted((root / "boot").glob("vmlinuz-*"))[-1]
        initrd = sorted((root / "boot").glob("initrd.img-*"))[-1]
        shutil.copy2(kernel, staging / "vmlinuz")
        shutil.copy2(initrd, staging / "initrd.img")
        subprocess.run(
            ["mkfs.ext4", "-q", "-F", "-L", "ctaops-vm", "-d", str(root), str(staging / "rootfs.img"), IMAGE_SIZE],
            check=True,
        )
        shutil.rmtree(root)
        (staging / "complete").write_text(f"{time.monotonic() - started:.0f} s\n")
        if image.directory.exists():
            shutil.rmtree(image.directory)
        staging.rename(image.directory)
        _log(f"image built in {time.monotonic() - started:.0f} s")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return image


def _kvm_works(image: Image) -> bool:
    """Boots the kernel with no root under KVM: it panics at once when KVM works, QEMU fails if not."""
    if os.environ.get("CTAOPS_VM_ACCEL") in ("tcg", "kvm"):
        return os.environ["CTAOPS_VM_ACCEL"] == "kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    cmd = [
        "qemu-system-x86_64",
        "-accel",
        "kvm",
        "-cpu",
        "host",
        "-m",
        "256",
        "-display",
        "none",
        "-no-reboot",
        "-kernel",
        str(image.kernel),
        "-append",
        "panic=-1 console=ttyS0 root=/dev/nonexistent",
        "-serial",
        "stdio",
    ]
    try:
        probe = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0 and b"Kernel panic" in probe.stdout


@dataclass
class BootResult:
    """What a boot left behind: QEMU's exit code, the console log, the shared directory."""

    returncode: int
    console: str
    work: Path
    accel: str
    seconds: float


def prepare_work(work: Path, binary: Path, wheel: Path, mode: str) -> None:
    """Lays out the shared directory: the binary, the wheel, the guest scripts and tests."""
    (work / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(binary, work / "bin" / "ctaops")
    (work / "wheel").mkdir(exist_ok=True)
    shutil.copy2(wheel, work / "wheel" / wheel.name)
    if (work / "guest").exists():
        shutil.rmtree(work / "guest")
    shutil.copytree(GUEST_DIR, work / "guest", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (work / "results").mkdir(exist_ok=True)
    (work / "cmd").mkdir(exist_ok=True)
    if mode == "systemd":
        # The shipped units as they are: site settings for the lab go into drop-ins in the guest.
        if (work / "units").exists():
            shutil.rmtree(work / "units")
        shutil.copytree(UNITS_DIR, work / "units")
        dependency_wheels(work / "deps")
    (work / "mode").write_text(mode + "\n")


def dependency_wheels(dest: Path) -> None:
    """The wheels requirements.txt pins, which the RPM installs with ctaops (packaging/rpm): from
    $CTAOPS_DEPS_DIR when set, else `pip download`ed as scripts/build_rpm.sh does."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REQUIREMENTS, dest / "requirements.txt")
    cached = os.environ.get("CTAOPS_DEPS_DIR")
    if cached:
        for wheel in Path(cached).glob("*.whl"):
            shutil.copy2(wheel, dest / wheel.name)
        return
    argv = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--only-binary=:all:"]
    argv += ["-d", str(dest), "-r", str(REQUIREMENTS)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise VmError(f"cannot download the dependency wheels (set CTAOPS_DEPS_DIR): {done.stderr.strip()}")


def boot(image: Image, work: Path, timeout: float, console_log: Path | None = None) -> BootResult:
    """Boots the guest with `work` shared as 9p tag `work`; returns when the guest powers off."""
    accel = "kvm" if _kvm_works(image) else "tcg"
    cmd = [
        "qemu-system-x86_64",
        "-accel",
        accel,
        "-cpu",
        "host" if accel == "kvm" else "max",
        "-m",
        str(GUEST_MEMORY_MB),
        "-smp",
        "1",
        "-nographic",
        "-no-reboot",
        "-kernel",
        str(image.kernel),
        "-initrd",
        str(image.initrd),
        "-drive",
        f"file={image.rootfs},format=raw,if=virtio,snapshot=on",
        "-virtfs",
        f"local,path={work},mount_tag=work,security_model=none",
        "-append",
        "root=/dev/vda rw console=ttyS0 panic=-1 quiet init=/sbin/ctaops-vm-init",
    ]
    log_path = console_log or work / "results" / "console.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise VmError(f"the guest did not power off within {timeout:.0f} s (console: {log_path})") from None
    return BootResult(
        returncode=rc,
        console=log_path.read_text(errors="replace"),
        work=work,
        accel=accel,
        seconds=time.monotonic() - started,
    )


def run_guest_suite(binary: Path, wheel: Path, work: Path, timeout: float = 900) -> BootResult:
    """Builds or finds the image, boots it once and runs the guest test suite."""
    image = build_image()
    prepare_work(work, binary, wheel, "test")
    return boot(image, work, timeout)


def run_systemd_check(binary: Path, wheel: Path, work: Path, timeout: float = 1800) -> BootResult:
    """Boots the guest once with systemd as PID 1 and runs the scheduled tools' units under it."""
    image = build_image()
    prepare_work(work, binary, wheel, "systemd")
    return boot(image, work, timeout)


def _main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.devices.vm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("build", help="build or find the guest image and print its directory")
    for action in ("test", "serve", "bench", "systemd"):
        p = sub.add_parser(action, help=f"boot the guest in {action} mode")
        p.add_argument("binary", type=Path, help="the ctaops binary to test")
        p.add_argument("wheel", type=Path, help="the ctaops wheel to install in the guest")
        p.add_argument("--work", type=Path, help="shared directory (default: a new temp dir)")
        p.add_argument("--timeout", type=float, default=3600, help="seconds before the guest is killed")
    args = parser.parse_args(argv)
    try:
        if args.action == "build":
            print(build_image().directory)
            return 0
        work = args.work or Path(tempfile.mkdtemp(prefix="ctaops-vm-"))
        prepare_work(work, args.binary, args.wheel, args.action)
        _log(f"work directory {work}")
        result = boot(build_image(), work, args.timeout)
    except VmError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    _log(f"guest powered off after {result.seconds:.0f} s ({result.accel}), qemu exit {result.returncode}")
    pytest_log = work / "results" / "pytest.log"
    if pytest_log.exists():
        print(pytest_log.read_text(errors="replace")[-4000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
