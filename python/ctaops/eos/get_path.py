"""``cta-ops-get-path-from-eos``: the EOS path of files given by disk file ID or archive file ID.

An archive file ID is looked up in CTA (``tapefile ls --id``: the disk instance and disk file
ID), then EOS is asked for ``file info`` of the fxid over HTTPS with the instance's token.
Each id is answered on its own: a failure is reported and the others are still printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctaops import _toolcli
from ctaops.errors import CtaAdminUserError, CtaOpsError

from . import SECTION
from .rest import EosClient, EosError, EosKeytabError, entry_for, keytab_path, load_keytab

if TYPE_CHECKING:
    from ctaops.admin import CtaAdmin
    from ctaops.utils.config import Config

PROG = "cta-ops-get-path-from-eos"


@dataclass
class Lookup:
    """One id of the command line and what was found for it."""

    kind: str
    value: str
    instance: str = ""
    fid: int | None = None
    archive_id: int | None = None
    path: str = ""
    error: str = ""

    def as_json(self) -> dict[str, object]:
        """Return the ``--json`` form."""
        out: dict[str, object] = {"kind": self.kind, "id": self.value}
        if self.instance:
            out["instance"] = self.instance
        if self.fid is not None:
            out.update(fid=self.fid, fxid=f"{self.fid:08x}")
        if self.archive_id is not None:
            out["archiveId"] = self.archive_id
        if self.error:
            out["error"] = self.error
        else:
            out["path"] = self.path
        return out


class _IdAction(argparse.Action):
    """Appends ``(kind, as given, number)`` to ``ids``, keeping the order of the command line."""

    KIND = ""
    BASE = 10

    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: object, option: object = None
    ) -> None:
        try:
            n = int(str(value), self.BASE)
        except ValueError:
            parser.error(
                f"{self.option_strings[0]}: {value!r} is not a {'hexadecimal' if self.BASE == 16 else 'decimal'} ID"
            )
        if n < 0:
            parser.error(f"{self.option_strings[0]}: {value!r} is negative")
        ns.ids.append((self.KIND, str(value), n))


class _Fid(_IdAction):
    KIND = "fid"


class _Fxid(_IdAction):
    KIND = "fxid"
    BASE = 16


class _ArchiveId(_IdAction):
    KIND = "archive-id"


def _parser() -> argparse.ArgumentParser:
    p = _toolcli.parser(PROG, "Print the EOS path of files given by disk file ID (fid/fxid) or CTA archive file ID.")
    p.set_defaults(ids=[])
    p.add_argument("--fid", action=_Fid, metavar="N", help="EOS file ID, decimal (repeatable)")
    p.add_argument("--fxid", action=_Fxid, metavar="HEX", help="EOS file ID, hexadecimal (repeatable)")
    p.add_argument("--archive-id", action=_ArchiveId, metavar="N", help="CTA archive file ID (repeatable)")
    p.add_argument(
        "-i",
        "--instance",
        metavar="INSTANCE",
        help="EOS instance of --fid/--fxid (default: the only instance of the keytab)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON list (errors included) instead of lines")
    return p


class _Resolver:
    def __init__(self, args: argparse.Namespace, keytab_file: str, config: Config) -> None:
        self.args = args
        self.keytab_file = keytab_file
        self.config = config
        self._clients: dict[str, EosClient] = {}
        self._admin: CtaAdmin | None = None

    def client(self, instance: str) -> EosClient:
        if instance not in self._clients:
            keytab = load_keytab(self.keytab_file)
            self._clients[instance] = EosClient(entry_for(keytab, instance, self.keytab_file))
        return self._clients[instance]

    def default_instance(self) -> str:
        if self.args.instance:
            return str(self.args.instance)
        keytab = load_keytab(self.keytab_file)
        if len(keytab) != 1:
            raise EosKeytabError(
                f"the REST keytab {self.keytab_file} has {len(keytab)} instances ({', '.join(sorted(keytab))}): give -i"
            )
        return next(iter(keytab))

    def catalogue(self, archive_id: int) -> tuple[str, int]:
        from ctaops.admin import CtaAdmin  # noqa: PLC0415  (keeps --help fast)

        if self._admin is None:
            self._admin = CtaAdmin(self.config, tool=PROG)
        try:
            rows = self._admin.tape_files(id=archive_id).to_dicts()
        except CtaAdminUserError as e:
            raise CtaOpsError(f"CTA does not know archive file ID {archive_id}: {e}") from None
        if not rows:
            raise CtaOpsError(f"CTA does not know archive file ID {archive_id}")
        df = rows[0].get("df") or {}
        try:
            return str(df["diskInstance"]), int(df["diskId"])
        except (KeyError, ValueError, TypeError):
            raise CtaOpsError(f"archive file ID {archive_id}: CTA gives no numeric disk file ID") from None

    def resolve(self, item: Lookup, n: int) -> None:
        if item.kind == "archive-id":
            item.archive_id = n
            item.instance, item.fid = self.catalogue(n)
        else:
            item.instance, item.fid = self.default_instance(), n
        info = self.client(item.instance).fileinfo(f"fxid:{item.fid:x}")
        item.path = str(info.get("path", ""))

    def close(self) -> None:
        for c in self._clients.values():
            c.close()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool and return its exit status."""
    from ctaops.utils.config import load_config  # noqa: PLC0415

    args = _parser().parse_args(argv)
    if not args.ids:
        raise _toolcli.ToolExit(2, "give at least one --fid, --fxid or --archive-id")
    config = load_config(args.config_file, f"{SECTION}.{PROG}")
    log = _toolcli.setup_logging(PROG, bool(args.verbose), config=config, log_json=args.log_json)
    log.info("started: %s", " ".join([PROG, *(sys.argv[1:] if argv is None else argv)]))
    resolver = _Resolver(args, keytab_path(config), config)
    found: list[Lookup] = []
    try:
        for kind, value, n in args.ids:
            item = Lookup(kind, value)
            try:
                resolver.resolve(item, n)
            except (EosError, CtaOpsError) as e:
                item.error = str(e)
                _report(log, item)
            found.append(item)
    finally:
        resolver.close()
    if args.json:
        print(json.dumps([f.as_json() for f in found], indent=2))
    else:
        for f in found:
            if not f.error:
                print(f"{f.value} {f.path}")
    return 1 if any(f.error for f in found) else 0


def _report(log: logging.Logger, item: Lookup) -> None:
    log.info("%s %s: %s", item.kind, item.value, item.error)
    print(f"{PROG}: {item.kind} {item.value}: {item.error}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    """Console script entry point: exit with :func:`run`'s status, errors as one line."""
    _toolcli.run(PROG, run, argv)


if __name__ == "__main__":
    main()
