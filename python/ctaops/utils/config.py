"""The shared ops-tools config file ``/etc/cta-ops/cta-ops-config.yaml``.

Loading, validation and the ``global``/``tools.<name>`` merge happen in the Rust core (the
Rust command-line tools read the same file the same way). Which file is read: ``path``
(``-C/--config-file``), else ``$CTAOPS_CONFIG``, else the default path; if the default path
does not exist, upstream's defaults are used and :attr:`Config.source` is ``None``.

A :class:`Config` is a read-only mapping over the effective document (every ``global`` key
with its default, ``tools`` as written, unknown keys kept), so upstream-style access such as
``cfg["global"]["binaries"]["cta-admin"]`` works, and it also has typed views:
``cfg.binaries.cta_admin``, ``cfg.logging.rotation_max_bytes`` …
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union

from ctaops import _core

DEFAULT_PATH = "/etc/cta-ops/cta-ops-config.yaml"
ENV_VAR = "CTAOPS_CONFIG"

PathArg = Union[str, "os.PathLike[str]", None]
"""A path given as text or path-like; ``None`` means "locate it"."""


@dataclass(frozen=True)
class LoggingConfig:
    """``global.logging``."""

    log_dir: str
    rotation_max_size: str
    rotation_max_bytes: int
    rotation_keep_files: int
    date_format: str
    error_translation_file: str | None
    """``None`` when the key is empty (translation disabled)."""


@dataclass(frozen=True)
class DefaultUserConfig:
    """``global.default_user``: the identity of automated tasks."""

    name: str
    group: str
    sss_keytab_file: str


@dataclass(frozen=True)
class EmailConfig:
    """``global.email``."""

    recipients: tuple[str, ...]
    sender: str


@dataclass(frozen=True)
class ColorsConfig:
    """``global.colors``: ANSI sequences."""

    ansi_color_table: str
    ansi_color_fail: str
    ansi_color_success: str
    ansi_end: str


@dataclass(frozen=True)
class BinariesConfig:
    """``global.binaries``; ``cta-admin`` is spelled ``cta_admin`` here (``get("cta-admin")`` works too)."""

    sendmail: str
    cta_admin: str
    adler32: str
    mt: str
    tape_label: str
    tape_mount: str
    tape_unmount: str
    cta_smc: str
    cta_rmcd: str
    cta_label: str
    lsscsi: str
    sg_inq: str
    sg_map: str
    sg_logs: str
    grep: str
    cta_verify_file_cmd: str

    @property
    def cta_verify_file_argv(self) -> list[str]:
        """``cta_verify_file_cmd`` as an argument vector (it includes ``--id`` upstream)."""
        return self.cta_verify_file_cmd.split()

    def get(self, key: str) -> str:
        """Look a binary up by its config key (``cta-admin``, ``cta_smc`` …)."""
        value = getattr(self, key.replace("-", "_"), None)
        if not isinstance(value, str):
            raise KeyError(key)
        return value


@dataclass(frozen=True)
class TapeDriveType:
    """One ``global.tape.tape_drive_types`` entry (``mode:`` is read as ``model``)."""

    name: str
    model: str


@dataclass(frozen=True)
class TapeConfig:
    """``global.tape``."""

    drive_facts: str
    cta_admin_config: str
    lib_to_pool_map: Mapping[str, Mapping[str, str]]
    tape_drive_types: tuple[TapeDriveType, ...]
    drive_to_lib_separator: str
    drive_to_lib_map: Mapping[str, str]
    pool_prefixes_ok_for_labeling: tuple[str, ...]
    drive_facts_file_path: str
    cta_version: str = ""
    """CTA version the cta-admin layer adapts commands to when ``version`` cannot tell; empty: ask."""
    cta_admin_transport: str = "cta-admin"
    """How tools reach CTA: ``cta-admin`` (spawn it) or ``grpc`` (the frontend in ``cta_admin_config``)."""

    def pool_suffix(self, logical_library: str, media_type: str) -> str | None:
        """Destination pool suffix (``_IBM1L7``) for a library and media type."""
        return self.lib_to_pool_map.get(logical_library, {}).get(media_type)

    def drive_model(self, scsi_product: str) -> str | None:
        """Drive model for a SCSI inquiry product name."""
        product = scsi_product.strip()
        return next((t.model for t in self.tape_drive_types if t.name == product), None)

    def library_for_drive(self, drive_name: str) -> str | None:
        """Logical library of a drive via ``drive_to_lib_map`` (longest matching root)."""
        sep = self.drive_to_lib_separator or "-"
        best: tuple[int, str] | None = None
        for root, lib in self.drive_to_lib_map.items():
            rest = drive_name[len(root) :] if drive_name.startswith(root) else None
            if rest is not None and (not rest or rest.startswith(sep)) and (best is None or len(root) > best[0]):
                best = (len(root), lib)
        return best[1] if best else None

    def pool_ok_for_labeling(self, pool: str) -> bool:
        """Whether a tape in ``pool`` may be (re)labelled."""
        return any(p and pool.startswith(p) for p in self.pool_prefixes_ok_for_labeling)


@dataclass(frozen=True)
class MetricsConfig:
    """``global.metrics``: where the scheduled tools leave their Prometheus textfiles."""

    textfile_dir: str = ""
    """node_exporter's textfile-collector directory; empty: no textfiles (see ``docs/monitoring.md``)."""


@dataclass(frozen=True)
class GlobalConfig:
    """The typed ``global`` section (after the tool's overrides, when a tool was given)."""

    logging: LoggingConfig
    default_user: DefaultUserConfig
    email: EmailConfig
    table_format: str
    table_max_col_width: int
    colors: ColorsConfig
    binaries: BinariesConfig
    tape: TapeConfig
    metrics: MetricsConfig = MetricsConfig()

    @classmethod
    def from_dict(cls, g: Mapping[str, Any]) -> GlobalConfig:
        """Build from the normalised mapping the Rust loader returns."""
        log = g["logging"]
        tape = dict(g["tape"])
        d2l = {str(k): str(v) for k, v in tape["drive_to_lib_map"].items()}
        separator = d2l.pop("separator", "-")
        binaries = {k.replace("-", "_"): str(v) for k, v in g["binaries"].items()}
        return cls(
            logging=LoggingConfig(
                log_dir=log["log_dir"],
                rotation_max_size=log["rotation_max_size"],
                rotation_max_bytes=_core.parse_size(log["rotation_max_size"]),
                rotation_keep_files=log["rotation_keep_files"],
                date_format=log["date_format"],
                error_translation_file=log["error_translation_file"].strip() or None,
            ),
            default_user=DefaultUserConfig(**g["default_user"]),
            email=EmailConfig(recipients=tuple(g["email"]["recipients"]), sender=g["email"]["sender"]),
            table_format=g["table_format"],
            table_max_col_width=g["table_max_col_width"],
            colors=ColorsConfig(**g["colors"]),
            binaries=BinariesConfig(**binaries),
            tape=TapeConfig(
                drive_facts=tape["drive_facts"],
                cta_admin_config=tape["cta-admin_config"],
                lib_to_pool_map={
                    str(k): {str(m): str(s) for m, s in v.items()} for k, v in tape["lib_to_pool_map"].items()
                },
                tape_drive_types=tuple(TapeDriveType(t["name"], t["model"]) for t in tape["tape_drive_types"]),
                drive_to_lib_separator=separator,
                drive_to_lib_map=d2l,
                pool_prefixes_ok_for_labeling=tuple(tape["pool_prefixes_ok_for_labeling"]),
                drive_facts_file_path=tape["drive_facts_file_path"],
                cta_version=str(tape.get("cta_version") or "").strip(),
                cta_admin_transport=str(tape.get("cta-admin_transport") or "cta-admin"),
            ),
            metrics=MetricsConfig(textfile_dir=str((g.get("metrics") or {}).get("textfile_dir") or "").strip()),
        )


class Config(Mapping[str, Any]):
    """A loaded, validated config: a read-only mapping over the effective document plus typed views."""

    def __init__(self, loaded: Mapping[str, Any], tool: str | None = None) -> None:
        self._doc: dict[str, Any] = dict(loaded["document"])
        self.source: str | None = loaded["source"]
        """The file read, or ``None`` when the built-in defaults are used."""
        self.tool_name = tool
        self.global_ = GlobalConfig.from_dict(loaded["global"])
        """Typed ``global`` settings as this tool sees them (tool overrides applied)."""
        self.tool: Mapping[str, Any] = loaded["tool"] or {}
        """Merged view of ``global`` overlaid by ``tools.<tool>`` (empty without a tool)."""
        self.tool_section: Mapping[str, Any] = loaded["tool_section"] or {}
        """``tools.<tool>`` exactly as written (empty if absent)."""
        self.unknown_keys: tuple[str, ...] = tuple(loaded["unknown_keys"])
        """Dotted keys ctaops does not know (kept; often a typo): see ``ctaops config check``."""

    def __getitem__(self, key: str) -> Any:
        return self._doc[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc)

    def __len__(self) -> int:
        return len(self._doc)

    def __repr__(self) -> str:
        return f"Config(source={self.source!r}, tool={self.tool_name!r})"

    @property
    def logging(self) -> LoggingConfig:
        """``global.logging`` (with this tool's overrides)."""
        return self.global_.logging

    @property
    def binaries(self) -> BinariesConfig:
        """``global.binaries``."""
        return self.global_.binaries

    @property
    def tape(self) -> TapeConfig:
        """``global.tape``."""
        return self.global_.tape

    @property
    def email(self) -> EmailConfig:
        """``global.email``."""
        return self.global_.email

    @property
    def default_user(self) -> DefaultUserConfig:
        """``global.default_user``."""
        return self.global_.default_user

    @property
    def colors(self) -> ColorsConfig:
        """``global.colors``."""
        return self.global_.colors

    @property
    def metrics(self) -> MetricsConfig:
        """``global.metrics`` (with this tool's overrides)."""
        return self.global_.metrics

    @property
    def table_format(self) -> str:
        """``global.table_format`` (a ``tabulate`` style name)."""
        return self.global_.table_format

    @property
    def table_max_col_width(self) -> int:
        """``global.table_max_col_width``."""
        return self.global_.table_max_col_width

    def get_path(self, dotted: str, default: Any = None) -> Any:
        """Value at a dotted path of the effective document (``"global.tape.drive_facts"``)."""
        node: Any = self._doc
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def tool_value(self, key: str, default: Any = None) -> Any:
        """Return a key of the merged tool view (tool section over ``global``)."""
        return self.tool.get(key, default)


def load_config(path: PathArg = None, tool: str | None = None) -> Config:
    """Load and validate the config.

    ``tool`` (e.g. ``"cta-ops-pool-supply"``, or a dotted nested name) selects the
    ``tools.<tool>`` section merged over ``global``.

    Raises :class:`ctaops.errors.ConfigError` (naming the file and key) for invalid content and
    :class:`ctaops.errors.CtaOpsFileNotFoundError` when an explicit or ``$CTAOPS_CONFIG`` path is missing.
    """
    loaded = _core.load_config(None if path is None else str(path), tool)
    return Config(loaded, tool)


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Read any YAML file (``<<`` merge keys applied); bad YAML raises ``ConfigError`` with the position."""
    return _core.load_yaml(os.fspath(path))


def locate_config(path: PathArg = None) -> str | None:
    """Return the file :func:`load_config` would read (``None``: defaults only)."""
    return _core.locate_config(None if path is None else str(path))


__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "BinariesConfig",
    "ColorsConfig",
    "Config",
    "DefaultUserConfig",
    "EmailConfig",
    "GlobalConfig",
    "LoggingConfig",
    "MetricsConfig",
    "TapeConfig",
    "TapeDriveType",
    "load_config",
    "load_yaml",
    "locate_config",
]
