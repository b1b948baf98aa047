"""``cta-ops-change-storage-class``'s command line: options, config, the checks made first, the plan, the report."""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ctaops import _toolcli

from .. import SECTION
from ..rest import EosClient, EosNotFoundError, entry_for, keytab_path, load_keytab, xattr
from .change import STORAGE_CLASS, Changer, Outcome
from .dump import Dump, read_dump
from .journal import TOOL, Journal, journal_path

if TYPE_CHECKING:
    from ctaops.admin import CtaAdmin
    from ctaops.utils.config import Config
    from ctaops.utils.metrics import Registry

PROG = TOOL
TOOL_ID = "change_storage_class"
# The upstream tool list spells it without the hyphen; both names are installed.
ALIAS = "cta-ops-change-storageclass"


def _invoked_as() -> str:
    """Return the name usage and --version show: the alias when run through it (config and logs keep PROG)."""
    return ALIAS if Path(sys.argv[0]).name == ALIAS else PROG


def _parser() -> argparse.ArgumentParser:
    p = _toolcli.parser(
        _invoked_as(),
        "Change the storage class of archived files in EOS (sys.archive.storage_class) and in CTA's catalogue.",
    )
    p.add_argument(
        "-l", "--location-of-dump", required=True, metavar="DUMP", help="EOS namespace dump, one JSON object per line"
    )
    p.add_argument("-i", "--instance", required=True, metavar="INSTANCE", help="EOS instance holding the files")
    p.add_argument(
        "-n",
        "--nb-files-per-execution",
        type=int,
        metavar="N",
        help="files per split (default: the files_per_split key)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    mode.add_argument(
        "--check", action="store_true", help="list files whose EOS and CTA storage classes differ (exit 1 if any)"
    )
    return p


def _classes(admin: CtaAdmin) -> dict[str, str]:
    """Storage class → its VO."""
    return {str(sc["name"]): str(sc.get("vo", "")) for sc in admin.storage_classes().to_dicts()}


_CHECK_BATCH = 10_000
"""Files made into Python objects at a time by ``--check`` (it asks EOS and CTA about each)."""


def _plan(dump: Dump, journal: Journal, size: int) -> None:
    plan = dump.plan(journal.finished_classes(), size)
    print(
        f"{len(dump)} files in the dump, {len(dump) - plan.todo} finished by an earlier run "
        f"(journal {journal.path}), {plan.todo} to check and change"
    )
    for target, n in plan.per_class:
        print(f"  {n} to storage class {target}")
    for k, part in enumerate(plan.splits, 1):
        what = ", ".join(f"{c} ({n})" for c, n in part.per_class)
        print(
            f"would: split {k}/{len(plan.splits)} (dump lines {part.first_line}-{part.last_line}): "
            f"set {STORAGE_CLASS} in EOS where it differs, then archivefile ch --storageclass {what}"
        )


def _check(dump: Dump, eos: EosClient, changer: Changer) -> int:
    """Print the files whose classes differ between EOS and CTA; return how many."""
    differ = 0
    for f in itertools.chain.from_iterable(dump.splits(_CHECK_BATCH)):
        try:
            info = eos.fileinfo(f.ref)
        except EosNotFoundError:
            print(f"{PROG}: fid {f.fid} (dump line {f.line}): EOS does not know it", file=sys.stderr)
            differ += 1
            continue
        in_eos = xattr(info, STORAGE_CLASS) or ""
        in_cta = changer.catalogue_class(f.archive_id)
        if in_cta is None:
            print(f"{PROG}: archive file {f.archive_id} (fid {f.fid}): not in CTA's catalogue yet", file=sys.stderr)
        elif in_eos != in_cta:
            differ += 1
            print(f"{f.archive_id} {f.fid} {info.get('path', f.path)} eos={in_eos} cta={in_cta}")
    print(f"{differ} of {len(dump)} files differ between EOS and CTA", file=sys.stderr)
    return differ


def _report(out: Outcome, journal: Journal) -> Path | None:
    if not out.failed and not out.skipped:
        return None
    path = journal.path.with_name(f"{journal.path.stem}.report-{time.strftime('%Y%m%dT%H%M%S')}.txt")
    lines = [f"{f.archive_id} {f.fid} failed {why}\n" for f, why in out.failed]
    lines += [f"{f.archive_id} {f.fid} skipped {why}\n" for f, why in out.skipped]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _add_metrics(registry: Registry, out: Outcome) -> None:
    files = registry.gauge("files", "Files of the last run's dump, by what the run did with them.", ("outcome",))
    files.set(out.changed, outcome="changed")
    files.set(out.unchanged, outcome="unchanged")
    files.set(out.earlier, outcome="earlier")
    files.set(len(out.skipped), outcome="skipped")
    files.set(len(out.failed), outcome="failed")


def _settings(config: Config, args: argparse.Namespace) -> tuple[int, int]:
    size = args.nb_files_per_execution or int(config.tool_value("files_per_split") or 1000)
    if size < 1:
        raise _toolcli.ToolExit(2, f"files per split must be at least 1, not {size}")
    return size, int(config.tool_value("nb_retries") or 10)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool and return its exit status (errors raise; :func:`main` turns them into one line)."""
    from ctaops.admin import CtaAdmin  # noqa: PLC0415  (keeps --help fast)
    from ctaops.utils.config import load_config  # noqa: PLC0415
    from ctaops.utils.metrics import ToolRun, textfile_path  # noqa: PLC0415

    args = _parser().parse_args(argv)
    config = load_config(args.config_file, f"{SECTION}.{PROG}")
    log = _toolcli.setup_logging(PROG, bool(args.verbose), config=config, log_json=args.log_json)
    log.info("started: %s", " ".join([PROG, *(sys.argv[1:] if argv is None else argv)]))
    size, retries = _settings(config, args)
    dump = read_dump(args.location_of_dump, args.instance)
    journal = Journal(journal_path(config, args.location_of_dump, args.instance))
    admin = CtaAdmin(config, tool=PROG)
    vo_of = _classes(admin)
    missing = sorted(set(dump.targets()) - set(vo_of))
    if missing and not args.check:
        raise _toolcli.ToolExit(1, f"storage class(es) not in CTA: {', '.join(missing)}: nothing changed")
    if args.dry_run:
        _plan(dump, journal, size)
        return 0
    keytab_file = keytab_path(config)
    eos = EosClient(entry_for(load_keytab(keytab_file), args.instance, keytab_file))
    changer = Changer(admin=admin, eos=eos, journal=journal, vo_of=vo_of, retries=retries, log=log)
    path = textfile_path(config, TOOL_ID)
    with ToolRun(TOOL_ID, path, roots=[config.logging.log_dir, config.metrics.textfile_dir]) as metrics:
        try:
            if args.check:
                differ = _check(dump, eos, changer)
                metrics.registry.gauge(
                    "differing_files", "Files whose EOS and CTA storage classes differed at the last --check."
                ).set(differ)
                # The check itself succeeded: what it found is in differing_files, not a failed run.
                metrics.done(0)
                return 1 if differ else 0
            out = Outcome()
            for part in dump.splits(size):
                changer.split(part, out)
        finally:
            journal.close()
            eos.close()
        _add_metrics(metrics.registry, out)
        metrics.done(1 if out.failed else 0)
    print(
        f"changed {out.changed}, already in their class {out.unchanged}, finished by an earlier run {out.earlier}, "
        f"skipped {len(out.skipped)}, failed {len(out.failed)}"
    )
    report = _report(out, journal)
    if report is not None:
        print(f"report of the skipped and failed files: {report}")
    return 1 if out.failed else 0


def main(argv: Sequence[str] | None = None) -> None:
    """Console script entry point: exit with :func:`run`'s status, errors as one line."""
    _toolcli.run(PROG, run, argv)


if __name__ == "__main__":
    main()
