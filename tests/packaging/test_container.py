"""packaging/container/Containerfile, checked statically (test_container_image.py builds and runs it).

What holds for any build, not only the one the image test makes: every COPY source exists in the
build context the README names (the repository root), the wheel glob matches the file `make wheel`
writes, the default base image's Python can load that wheel, the image does not run as root, and
its command is a console script.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "packaging" / "container" / "Containerfile"
README = ROOT / "packaging" / "container" / "README.md"
_SCRIPTS_SECTION = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n[", 1)[0]
SCRIPTS = set(re.findall(r"^([\w.-]+)\s*=", _SCRIPTS_SECTION, re.M))


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", RECIPE.read_text())
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_readme_builds_from_the_repository_root() -> None:
    assert "podman build -f packaging/container/Containerfile -t ctaops ." in README.read_text()


def test_every_copy_source_is_in_the_build_context() -> None:
    copies = [args.split() for word, args in instructions() if word == "COPY"]
    assert copies
    for *sources, _dest in copies:
        for source in sources:
            assert not source.startswith("--"), "no COPY --from: single-stage recipe"
            if source.startswith("dist/"):
                continue  # built by `make wheel`: test_the_wheel_glob_is_what_make_wheel_writes
            assert (ROOT / source).is_file(), source


def test_the_wheel_glob_is_what_make_wheel_writes() -> None:
    (wheel_glob,) = [s for word, args in instructions() if word == "COPY" for s in args.split() if "whl" in s]
    recipe = re.search(r"^wheel:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe
    out = re.search(r"maturin build\b.*\s-o\s+(\S+)", recipe.group(1))
    assert out
    assert wheel_glob.startswith(out.group(1).rstrip("/") + "/")
    # A wheel maturin wrote for this project (make test's copy), else the name it would write.
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    names = [p.name for p in (target / "device-wheel").glob("*.whl")] or [
        "ctaops-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl"
    ]
    for name in names:
        assert fnmatch.fnmatch(f"{out.group(1)}/{name}", wheel_glob), name
        python_tag, abi_tag = name.split("-")[2:4]
        assert abi_tag == "abi3"  # one wheel for every CPython from python_tag on
        (base,) = [args for word, args in instructions() if word == "FROM"]
        assert base == "${BASE_IMAGE}"
        (default,) = [a for word, a in instructions() if word == "ARG" and a.startswith("BASE_IMAGE=")]
        base_version = re.search(r"python:(\d+)\.(\d+)", default)
        assert base_version
        assert (int(base_version.group(1)), int(base_version.group(2))) >= (3, int(python_tag.removeprefix("cp3")))


def test_runs_as_an_unprivileged_user_with_a_console_script() -> None:
    users = [args for word, args in instructions() if word == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    useradd = " ".join(args for word, args in instructions() if word == "RUN")
    assert f"useradd --system --gid tape --home-dir /var/lib/cta-ops --shell /usr/sbin/nologin {users[-1]}" in useradd
    (cmd,) = [args for word, args in instructions() if word == "CMD"]
    assert cmd.startswith("[")
    assert cmd.split('"')[1] in SCRIPTS
    assert "CTAOPS_CONFIG=/etc/cta-ops/cta-ops-config.yaml" in dict(instructions())["ENV"]
