"""Typed, streaming access to ``cta-admin --json``.

:class:`CtaAdmin` runs ``cta-admin`` (never through a shell) with a timeout and CTA's exit-status
rules: exit 2 raises :class:`~ctaops.errors.CtaAdminUserError` with CTA's message, other failures
raise :class:`~ctaops.errors.CtaAdminError` subclasses with stable codes. Listings come back as
:class:`AdminRecords`: a sequence of records with attribute access by CTA's JSON key names (or
their snake_case spelling), ``to_dict()``, ``to_json()`` (CTA's exact form) and conversions to
``pyarrow`` (``to_arrow()``, built in Rust), ``pandas`` and ``polars``, which are imported only
when used. Parsing and waiting happen with the GIL released; ``*_async`` methods are awaitable.

:func:`parse` reads saved ``--json``/``--jsonl`` output of any listing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Union, cast

from ctaops._core import (
    AdminRecord,
    AdminRecords,
    AdminRunner,
    AdminStruct,
    GrpcAdminRunner,
    admin_kinds,
    admin_parse,
    admin_parse_arrow,
    admin_read_arrow_fd,
)
from ctaops.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped]

# The Rust class implements the sequence protocol; make isinstance(x, Sequence) agree.
Sequence.register(AdminRecords)

OptionValue = Union[str, int, bool, "PathLike[str]", None]
"""An option value: ``str``, ``int`` (uint64 options), ``bool`` (``true|false`` options and flags)."""

KINDS: dict[str, str] = dict(admin_kinds())
"""Record kinds by long command name, with their short alias (``{"tapefile": "tf", …}``)."""

DEFAULT_TIMEOUT = 300.0
"""Seconds before a ``cta-admin`` run is killed."""

DEFAULT_CTA_CLI_CONF = "/etc/cta/cta-cli.conf"
"""CTA's client config, read by ``transport="grpc"`` when no ``config_file`` is given."""

TRANSPORTS = ("cta-admin", "grpc")
"""``cta-admin``: spawn the binary (default); ``grpc``: talk to the gRPC frontend directly."""


def parse(kind: str, data: str | bytes | bytearray | memoryview, framing: str | None = None) -> AdminRecords:
    """Parse ``--json`` or ``--jsonl`` output of command ``kind`` (``"tape"``, ``"ta"``, ``"tf"``, …).

    ``framing`` is ``"json"``, ``"jsonl"`` or None to tell from the first byte (``[`` is ``--json``;
    empty input then counts as ``--jsonl``, i.e. no records). Raises :class:`CtaAdminParseError`
    subclasses naming the record (1-based) and field; never returns a partial result.
    """
    return admin_parse(kind, data, framing)


def parse_arrow(kind: str, data: str | bytes | bytearray | memoryview, framing: str | None = None) -> pyarrow.Table:
    """Like :func:`parse` but straight into a ``pyarrow.Table`` (no per-record Python objects)."""
    return admin_parse_arrow(kind, data, framing)


def read_arrow_fd(kind: str, fd: int, framing: str = "json") -> pyarrow.Table:
    """Read records of ``kind`` from a file descriptor (e.g. a pipe) while it is written."""
    return admin_read_arrow_fd(kind, fd, framing)


def _opts(options: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    return {k: v for k, v in options.items() if v is not None}


class CtaAdmin:
    """Runs ``cta-admin`` commands and returns typed records.

    ``cta_admin`` is the binary, ``config_file`` is passed as ``--config``, ``sss_keytab`` sets
    ``XrdSecPROTOCOL=sss`` and ``XrdSecSSSKT``; ``timeout`` is in seconds (the process is killed
    after it). Option keywords are CTA's long option names without dashes (``tapepool=``,
    ``mediatype=``, ``logicallibrary=`` …; also ``vo=``, ``dirty=`` for ``--dirtybit``,
    ``no_recall=`` for ``--no-recall``); unknown keywords raise ``InvalidArgumentError`` before
    anything runs. State-changing methods take ``dry_run=True`` to return the command line instead.

    ``transport="grpc"`` talks to CTA's gRPC frontend directly instead of spawning ``cta-admin``:
    the settings come from the ``cta-cli.conf`` given as ``config_file`` (``cta.endpoint``,
    ``grpc.tls.chain_cert_path``, ``grpc.cta_admin_auth_method jwt``, ``grpc.jwt_token_path``);
    methods, records and tables are the same. Its failures are :class:`~ctaops.errors.GrpcError`
    subclasses; CTA's refusals stay :class:`~ctaops.errors.CtaAdminUserError`.
    """

    def __init__(
        self,
        cta_admin: str | PathLike[str] = "cta-admin",
        config_file: str | PathLike[str] | None = None,
        sss_keytab: str | PathLike[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: str = "cta-admin",
    ) -> None:
        self._runner: AdminRunner | GrpcAdminRunner
        if transport == "grpc":
            # Same cta-cli.conf as cta-admin's --config: cta.endpoint, grpc.tls.chain_cert_path,
            # grpc.cta_admin_auth_method, grpc.jwt_token_path.
            self._runner = GrpcAdminRunner(config_file or DEFAULT_CTA_CLI_CONF, timeout)
        elif transport == "cta-admin":
            self._runner = AdminRunner(cta_admin, config_file, sss_keytab, timeout)
        else:
            raise InvalidArgumentError(f"unknown transport {transport!r} (one of {', '.join(TRANSPORTS)})")

    # -- generic -----------------------------------------------------------------------------

    def run(self, *args: str) -> AdminRecords | str:
        """Run any command given as words (``run("admin", "ls")``): records for listings, else CTA's message."""
        return self._runner.run(list(args))

    async def run_async(self, *args: str) -> AdminRecords | str:
        """Awaitable :meth:`run`."""
        return await self._runner.run_async_words(list(args))

    def argv(self, command: str, sub: str | None, **options: OptionValue) -> list[str]:
        """Return the argument vector a call would run (binary first)."""
        return self._runner.argv(command, sub, _opts(options))

    def _ls(self, command: str, options: Mapping[str, OptionValue], mode: str = "records") -> AdminRecords:
        return cast(AdminRecords, self._runner.call(command, "ls", _opts(options), mode))

    async def _ls_async(self, command: str, sub: str | None, options: Mapping[str, OptionValue]) -> AdminRecords:
        mode = "tapepools" if command == "tapepool" else "records"
        return cast(AdminRecords, await self._runner.call_async(command, sub, _opts(options), mode))

    def _act(self, command: str, sub: str, options: Mapping[str, OptionValue], dry_run: bool) -> str:
        opts = _opts(options)
        if dry_run:
            return " ".join(self._runner.argv(command, sub, opts))
        return cast(str, self._runner.call(command, sub, opts, "action"))

    async def _act_async(self, command: str, sub: str, options: Mapping[str, OptionValue]) -> str:
        return cast(str, await self._runner.call_async(command, sub, _opts(options), "action"))

    def arrow(self, command: str, **options: OptionValue) -> pyarrow.Table:
        """Run ``<command> ls`` (or ``showqueues``/``version``) straight into a ``pyarrow.Table``."""
        sub = None if command in ("showqueues", "sq", "version", "v") else "ls"
        return self._runner.arrow(command, sub, _opts(options))

    def cta_version(self) -> str | None:
        """Return the frontend's CTA version (``serverVersion.ctaVersion``), asked once and remembered."""
        return self._runner.cta_version()

    # -- listings ----------------------------------------------------------------------------

    def tapes(self, **filters: OptionValue) -> AdminRecords:
        """``tape ls``; with no filter lists every tape (``--all``)."""
        return self._ls("tape", _opts(filters) or {"all": True})

    def tapes_async(self, **filters: OptionValue) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`tapes`."""
        return self._ls_async("tape", "ls", _opts(filters) or {"all": True})

    def tape_pools(self, **filters: OptionValue) -> AdminRecords:
        """List tape pools (``tapepool ls``) with both supply shapes filled in.

        Older CTA prints one ``supply`` string, newer CTA ``supplySource``/``supplyDestination``
        lists; callers see all three whichever version answered.
        """
        return self._ls("tapepool", filters, "tapepools")

    def tape_pools_async(self, **filters: OptionValue) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`tape_pools`."""
        return self._ls_async("tapepool", "ls", filters)

    def tape_files(self, vid: str | None = None, **filters: OptionValue) -> AdminRecords:
        """``tapefile ls`` (one record per tape copy)."""
        return self._ls("tapefile", {"vid": vid, **filters})

    def tape_files_async(self, vid: str | None = None, **filters: OptionValue) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`tape_files`."""
        return self._ls_async("tapefile", "ls", {"vid": vid, **filters})

    def drives(self, drive: str | None = None, all: bool = False) -> AdminRecords:
        """``drive ls [<regex>] [--all]``."""
        return self._ls("drive", {"drive": drive, "all": all})

    def drives_async(self, drive: str | None = None, all: bool = False) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`drives`."""
        return self._ls_async("drive", "ls", {"drive": drive, "all": all})

    def repacks(self, vid: str | None = None) -> AdminRecords:
        """``repack ls [--vid]``."""
        return self._ls("repack", {"vid": vid})

    def repacks_async(self, vid: str | None = None) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`repacks`."""
        return self._ls_async("repack", "ls", {"vid": vid})

    def show_queues(self) -> AdminRecords:
        """``showqueues``."""
        return cast(AdminRecords, self._runner.call("showqueues", None, {}, "records"))

    def show_queues_async(self) -> Awaitable[AdminRecords]:
        """Awaitable :meth:`show_queues`."""
        return self._ls_async("showqueues", None, {})

    def version(self) -> AdminRecords:
        """``version`` (one record)."""
        return cast(AdminRecords, self._runner.call("version", None, {}, "records"))

    def storage_classes(self, **filters: OptionValue) -> AdminRecords:
        """``storageclass ls [--name|--vid]``."""
        return self._ls("storageclass", filters)

    def archive_routes(self) -> AdminRecords:
        """``archiveroute ls``."""
        return self._ls("archiveroute", {})

    def media_types(self) -> AdminRecords:
        """``mediatype ls``."""
        return self._ls("mediatype", {})

    def logical_libraries(self, **filters: OptionValue) -> AdminRecords:
        """``logicallibrary ls [--disabled]``."""
        return self._ls("logicallibrary", filters)

    def physical_libraries(self) -> AdminRecords:
        """``physicallibrary ls``."""
        return self._ls("physicallibrary", {})

    def virtual_organizations(self) -> AdminRecords:
        """``virtualorganization ls``."""
        return self._ls("virtualorganization", {})

    def mount_policies(self) -> AdminRecords:
        """``mountpolicy ls``."""
        return self._ls("mountpolicy", {})

    def requester_mount_rules(self) -> AdminRecords:
        """``requestermountrule ls``."""
        return self._ls("requestermountrule", {})

    def group_mount_rules(self) -> AdminRecords:
        """``groupmountrule ls``."""
        return self._ls("groupmountrule", {})

    def activity_mount_rules(self) -> AdminRecords:
        """``activitymountrule ls``."""
        return self._ls("activitymountrule", {})

    def admins(self) -> AdminRecords:
        """``admin ls``."""
        return self._ls("admin", {})

    def disk_instances(self) -> AdminRecords:
        """``diskinstance ls``."""
        return self._ls("diskinstance", {})

    def disk_instance_spaces(self) -> AdminRecords:
        """``diskinstancespace ls``."""
        return self._ls("diskinstancespace", {})

    def disk_systems(self) -> AdminRecords:
        """``disksystem ls``."""
        return self._ls("disksystem", {})

    def failed_requests(self, **filters: OptionValue) -> AdminRecords:
        """``failedrequest ls`` (items, or summary rows with ``summary=True``)."""
        return self._ls("failedrequest", filters)

    def recycled_tape_files(self, **filters: OptionValue) -> AdminRecords:
        """``recycletf ls``."""
        return self._ls("recycletf", filters)

    # -- state changes -----------------------------------------------------------------------

    def tape_ch(self, vid: str, *, dry_run: bool = False, **changes: OptionValue) -> str:
        """``tape ch --vid V`` with ``state=``, ``reason=``, ``full=``, ``dirty=``, ``verificationstatus=`` …."""
        if not _opts(changes):
            raise ValueError("tape_ch needs at least one change")
        return self._act("tape", "ch", {"vid": vid, **changes}, dry_run)

    def tape_ch_async(self, vid: str, **changes: OptionValue) -> Awaitable[str]:
        """Awaitable :meth:`tape_ch`."""
        return self._act_async("tape", "ch", {"vid": vid, **changes})

    def tape_reclaim(self, vid: str, *, dry_run: bool = False) -> str:
        """``tape reclaim --vid V``."""
        return self._act("tape", "reclaim", {"vid": vid}, dry_run)

    def drive_up(self, drive: str, reason: str | None = None, *, dry_run: bool = False) -> str:
        """``drive up <regex> [--reason]``; returns CTA's message (one line per drive)."""
        return self._act("drive", "up", {"drive": drive, "reason": reason}, dry_run)

    def drive_down(self, drive: str, reason: str, force: bool = False, *, dry_run: bool = False) -> str:
        """``drive down <regex> --reason R [--force]``."""
        if not reason.strip():
            raise ValueError("drive_down needs a non-blank reason")
        return self._act("drive", "down", {"drive": drive, "reason": reason, "force": force}, dry_run)

    def drive_ch(self, drive: str, comment: str, *, dry_run: bool = False) -> str:
        """``drive ch <regex> --comment C``."""
        return self._act("drive", "ch", {"drive": drive, "comment": comment}, dry_run)

    def drive_up_async(self, drive: str, reason: str | None = None) -> Awaitable[str]:
        """Awaitable :meth:`drive_up`."""
        return self._act_async("drive", "up", {"drive": drive, "reason": reason})

    def drive_down_async(self, drive: str, reason: str, force: bool = False) -> Awaitable[str]:
        """Awaitable :meth:`drive_down`."""
        return self._act_async("drive", "down", {"drive": drive, "reason": reason, "force": force})

    def repack_add(
        self, mountpolicy: str, vid: str | None = None, *, dry_run: bool = False, **options: OptionValue
    ) -> str:
        """``repack add --mountpolicy P --vid V`` (``bufferurl=``, ``maxfilestoselect=``, ``justmove=`` …)."""
        return self._act("repack", "add", {"mountpolicy": mountpolicy, "vid": vid, **options}, dry_run)

    def repack_add_async(self, mountpolicy: str, vid: str | None = None, **options: OptionValue) -> Awaitable[str]:
        """Awaitable :meth:`repack_add`."""
        return self._act_async("repack", "add", {"mountpolicy": mountpolicy, "vid": vid, **options})

    def repack_rm(self, vid: str, *, dry_run: bool = False) -> str:
        """``repack rm --vid V``."""
        return self._act("repack", "rm", {"vid": vid}, dry_run)

    def repack_err(self, vid: str) -> str:
        """``repack err --vid V`` (CTA answers ``Not implemented``)."""
        return self._act("repack", "err", {"vid": vid}, False)


__all__ = [
    "DEFAULT_TIMEOUT",
    "KINDS",
    "AdminRecord",
    "AdminRecords",
    "AdminStruct",
    "CtaAdmin",
    "OptionValue",
    "parse",
    "parse_arrow",
    "read_arrow_fd",
]
