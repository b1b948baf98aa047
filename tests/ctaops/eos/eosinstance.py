"""A simulator instance with archived files and its EOS namespace served over HTTPS (``ctaops sim serve-eos``)."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ctaops.eos.rest import EosClient, load_keytab
from tests.ctaops.siminstance import SimInstance

SC = "ctaops_sc"
SAME_VO = "sc_new"
OTHER_VO = "sc_repack"
INSTANCE = "eosctaops"


class EosInst(SimInstance):
    """The instance, the log of its EOS server, and helpers to read both sides of a file."""

    serve_log: Path

    def setup_classes(self) -> None:
        """A second class of the files' VO and one of another VO."""
        for name, vo in ((SAME_VO, "vo_user"), (OTHER_VO, "vo_repack")):
            self.admin("storageclass", "add", "--name", name, "--numberofcopies", "1", "--vo", vo, "--comment", "test")

    def archive(self, count: int, *, run: bool = True) -> list[int]:
        """``count`` files at /eos/eosctaops/test/fN (written to tape when ``run``); their archive IDs."""
        r = subprocess.run(
            [
                *(self.exe, "sim", "archive", str(self.dir), "--storageclass", SC),
                *("--count", str(count), "--size", "4k", "--path", f"/eos/{INSTANCE}/test/f{{id}}"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        ids: list[int] = json.loads(r.stdout)["archiveIds"]
        if run:
            self.sim("run", str(self.dir))
        return ids

    def eos(self) -> EosClient:
        keytab = load_keytab(str(self.dir / "eos.rest.keytab.yaml"))
        return EosClient(keytab[INSTANCE])

    def info(self, archive_id: int) -> dict[str, Any]:
        with contextlib.closing(self.eos()) as c:
            return c.fileinfo(f"fid:{archive_id + 4_000_000_000}")

    def eos_class(self, archive_id: int) -> str:
        return str(self.info(archive_id)["xattr"]["sys.archive.storage_class"])

    def cta_class(self, archive_id: int) -> str:
        rows = json.loads(self.admin("--json", "tapefile", "ls", "--id", str(archive_id)))
        return str(rows[0]["af"]["storageClass"])

    def dump(self, name: str, ids: list[int], target: str) -> Path:
        """An eos-ns-inspect-like dump of ``ids`` asking for ``target``."""
        lines = []
        for a in ids:
            info = self.info(a)
            lines.append(
                json.dumps({"fid": info["id"], "path": info["path"], "xattr": info["xattr"], "storageclass": target})
            )
        path = self.dir / name
        path.write_text("\n".join(lines) + "\n")
        return path

    def attr_sets(self) -> list[str]:
        """Paths whose storage class attribute the EOS server set, one entry per call."""
        return [
            line.split("path=")[1].split()[0]
            for line in self.serve_log.read_text().splitlines()
            if "EOS attr set" in line
        ]


@contextlib.contextmanager
def serving(inst: EosInst, *extra: str) -> Iterator[dict[str, Any]]:
    """``ctaops sim serve-eos`` for the block; yields ``DIR/serve.json``; it must exit 0 on SIGTERM."""
    inst.serve_log = inst.dir / "serve-eos.log"
    with inst.serve_log.open("w") as log:
        proc = subprocess.Popen(
            [inst.exe, "sim", "serve-eos", str(inst.dir), "-v", *extra], stdout=subprocess.PIPE, stderr=log, text=True
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("listening on "), line + inst.serve_log.read_text()
            yield json.loads((inst.dir / "serve.json").read_text())
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
    assert code == 0, inst.serve_log.read_text()
