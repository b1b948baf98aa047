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

import os
from collections.abc import Awaitable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, Union, cast

from ctaops._core import (
    AdminRecord,
    AdminRecords,
    AdminRunner,
    AdminStruct,
    ErrorTranslations,
    GrpcAdminRunner,
    admin_concat,
    admin_kinds,
    admin_parse,
    admin_parse_arrow,
    admin_read_arrow_fd,
)
from ctaops.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped]

    from ctaops.utils.config import Config

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


@dataclass
class RunnerSettings:
    """How :class:`CtaAdmin` runs ``cta-admin`` (see :func:`runner_settings`)."""

    cta_admin: str = "cta-admin"
    config_file: str | None = None
    sss_keytab: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    translations: ErrorTranslations | None = None
    source: str | None = None
    """The config file the settings came from (``None``: built-in defaults)."""
    cta_version: str | None = None
    """CTA version to adapt commands to (``global.tape.cta_version``); ``None``: ask ``cta-admin``."""
    transport: str = "cta-admin"
    """``cta-admin`` or ``grpc`` (``global.tape.cta-admin_transport``)."""


def _existing(path: str | None, *, quiet: bool = False) -> str | None:
    """Return a configured file, or None when the key is empty or the file is absent (logged)."""
    if not path or not path.strip():
        return None
    if not os.path.exists(path):
        import logging  # noqa: PLC0415 (only on this path)

        level = logging.DEBUG if quiet else logging.WARNING
        logging.getLogger("ctaops.admin").log(level, "configured file %s does not exist: not used", path)
        return None
    return path


def _written_keys(cfg: Config) -> set[str]:
    """``section.key`` names the config file itself sets, under ``global`` or the tool's section."""
    if cfg.source is None:
        return set()
    from ctaops.utils.config import load_yaml  # noqa: PLC0415 (config loads lazily)

    doc = load_yaml(cfg.source)
    found: set[str] = set()
    for scope in (doc.get("global") if isinstance(doc, dict) else None, cfg.tool_section):
        if not isinstance(scope, Mapping):
            continue
        for section, body in scope.items():
            if isinstance(body, Mapping):
                found.update(f"{section}.{key}" for key in body)
    return found


def runner_settings(config: Config | str | PathLike[str] | None = None, *, tool: str | None = None) -> RunnerSettings:
    """Read the ``cta-admin`` settings from the ops config.

    ``global.binaries.cta-admin`` is the binary; ``global.tape.cta-admin_config`` is passed as
    ``--config`` and ``global.default_user.sss_keytab_file`` as ``XrdSecSSSKT`` (with
    ``XrdSecPROTOCOL=sss``), each only if the file exists (an absent file is logged and left out,
    as the keytab and client config of a workstation or simulator usually are);
    ``global.logging.error_translation_file`` gives the error translations;
    ``global.tape.cta_version``, when set, is the CTA version commands are adapted to instead of
    asking ``cta-admin --json version``; ``global.tape.cta-admin_transport`` (``cta-admin`` or
    ``grpc``) says how to reach CTA. With ``tool``, that
    tool's ``tools.<tool>`` overrides apply and its ``timeout`` (seconds) is used.
    """
    from ctaops.utils.config import Config as ConfigClass  # noqa: PLC0415 (config loads lazily)
    from ctaops.utils.config import load_config  # noqa: PLC0415
    from ctaops.utils.translate import load_translations  # noqa: PLC0415

    cfg = config if isinstance(config, ConfigClass) else load_config(config, tool)
    if tool is not None and cfg.tool_name != tool:
        cfg = load_config(cfg.source, tool)
    timeout: Any = cfg.tool_value("timeout") if tool is not None else None
    table_path = _existing(cfg.logging.error_translation_file, quiet=True)
    # An absent file is worth a warning only when the site wrote its path; a built-in default that
    # does not exist on this host (a workstation, the simulator) is normal.
    written = _written_keys(cfg)
    # cta-admin runs without --config when the file is absent; the gRPC transport has nothing to
    # connect to without it, so it gets the path as configured and fails naming it.
    if cfg.tape.cta_admin_transport == "grpc":
        config_file = cfg.tape.cta_admin_config or None
    else:
        config_file = _existing(cfg.tape.cta_admin_config, quiet="tape.cta-admin_config" not in written)
    return RunnerSettings(
        cta_admin=cfg.binaries.cta_admin or "cta-admin",
        config_file=config_file,
        sss_keytab=_existing(cfg.default_user.sss_keytab_file, quiet="default_user.sss_keytab_file" not in written),
        timeout=float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else DEFAULT_TIMEOUT,
        translations=load_translations(table_path) if table_path else None,
        source=cfg.source,
        cta_version=cfg.tape.cta_version or None,
        transport=cfg.tape.cta_admin_transport,
    )


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

    ``config`` is the ops config (a loaded :class:`~ctaops.utils.config.Config`, a path, or None
    to locate it as every tool does: ``$CTAOPS_CONFIG``, else ``/etc/cta-ops/cta-ops-config.yaml``);
    see :func:`runner_settings` for the keys used. Keyword arguments override single settings:
    ``cta_admin`` is the binary, ``config_file`` is passed as ``--config``, ``sss_keytab`` sets
    ``XrdSecPROTOCOL=sss`` and ``XrdSecSSSKT``; ``timeout`` is in seconds (the process is killed
    after it); ``translations`` replaces the error-translation table. When a pattern of the table
    matches CTA's message, :class:`~ctaops.errors.CtaAdminError` carries the friendly text, with
    the untranslated text in ``.original`` and CTA's own message in ``.cta_message``.

    Option keywords are CTA's long option names without dashes (``tapepool=``,
    ``mediatype=``, ``logicallibrary=`` …; also ``vo=``, ``dirty=`` for ``--dirtybit``,
    ``no_recall=`` for ``--no-recall``); unknown keywords raise ``InvalidArgumentError`` before
    anything runs. State-changing methods take ``dry_run=True`` to return the command line instead.

    Commands follow CTA HEAD's command line; where an older frontend spells an option differently
    the command is rewritten for it, and what it cannot do raises
    :class:`~ctaops.errors.CtaVersionUnsupportedError` before anything runs (docs/cta-admin.md,
    "CTA versions"). The version is asked once (``cta-admin --json version``), only for commands
    concerned; ``cta_version=`` (or ``global.tape.cta_version``) sets it instead.

    ``transport="grpc"`` (or ``global.tape.cta-admin_transport: grpc`` in the ops config, which
    the tools built on this class then follow) talks to CTA's gRPC frontend directly instead of
    spawning ``cta-admin``:
    the settings come from the ``cta-cli.conf`` given as ``config_file`` (``cta.endpoint``,
    ``grpc.tls.chain_cert_path``, ``grpc.cta_admin_auth_method jwt``, ``grpc.jwt_token_path``);
    methods, records and tables are the same. Its failures are :class:`~ctaops.errors.GrpcError`
    subclasses; CTA's refusals stay :class:`~ctaops.errors.CtaAdminUserError`.
    """

    def __init__(  # noqa: PLR0913 (each setting can be overridden by keyword)
        self,
        config: Config | str | PathLike[str] | None = None,
        *,
        cta_admin: str | PathLike[str] | None = None,
        config_file: str | PathLike[str] | None = None,
        sss_keytab: str | PathLike[str] | None = None,
        timeout: float | None = None,
        tool: str | None = None,
        translations: ErrorTranslations | None = None,
        transport: str | None = None,
        cta_version: str | None = None,
    ) -> None:
        settings = runner_settings(config, tool=tool)
        if cta_admin is not None:
            settings.cta_admin = os.fspath(cta_admin)
        if config_file is not None:
            settings.config_file = os.fspath(config_file)
        if sss_keytab is not None:
            settings.sss_keytab = os.fspath(sss_keytab)
        if timeout is not None:
            settings.timeout = timeout
        if translations is not None:
            settings.translations = translations
        if cta_version is not None:
            settings.cta_version = cta_version
        if transport is not None:
            settings.transport = transport
        self.settings = settings
        """What this instance runs: binary, ``--config``, keytab, timeout, translation table."""
        self._runner: AdminRunner | GrpcAdminRunner
        if settings.transport == "grpc":
            # Same cta-cli.conf as cta-admin's --config: cta.endpoint, grpc.tls.chain_cert_path,
            # grpc.cta_admin_auth_method, grpc.jwt_token_path.
            self._runner = GrpcAdminRunner(
                settings.config_file or DEFAULT_CTA_CLI_CONF, settings.timeout, settings.cta_version
            )
        elif settings.transport == "cta-admin":
            self._runner = AdminRunner(
                settings.cta_admin,
                settings.config_file,
                settings.sss_keytab,
                settings.timeout,
                settings.translations,
                settings.cta_version,
            )
        else:
            raise InvalidArgumentError(f"unknown transport {settings.transport!r} (one of {', '.join(TRANSPORTS)})")

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

    def tape_files(
        self, vid: str | Sequence[str] | None = None, *, concurrency: int = 8, **filters: OptionValue
    ) -> AdminRecords:
        """``tapefile ls`` (one record per tape copy); a list of VIDs gives every tape's files as one collection.

        CTA lists the files of one tape per request, so many tapes take one request each: up to
        ``concurrency`` at once, in order of the list, each VID once. Over gRPC (``transport="grpc"``)
        they share one connection; with the ``cta-admin`` transport each is a ``cta-admin`` process.
        """
        if vid is None or isinstance(vid, str):
            return self._ls("tapefile", {"vid": vid, **filters})
        if concurrency < 1:
            raise InvalidArgumentError(f"concurrency must be at least 1, not {concurrency}")
        vids = list(dict.fromkeys(vid))
        if not vids:
            return admin_concat("tapefile", [])
        with ThreadPoolExecutor(max_workers=min(concurrency, len(vids))) as pool:
            parts = list(pool.map(lambda v: self._ls("tapefile", {"vid": v, **filters}), vids))
        return admin_concat("tapefile", parts)

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
    "RunnerSettings",
    "parse",
    "parse_arrow",
    "read_arrow_fd",
    "runner_settings",
]
