"""cta-ops-admin's command table: commands, aliases, handlers and ``table_headers``.

The table is ``tools.cta-ops-admin.cta-ops-admin.commands`` in the config, or upstream's
default (``commands.yaml`` beside this module, the same text the config template ships) when
the config has none. A configured table replaces the default as a whole, so a site hides a
command by leaving it out, renames one by changing its key (with ``cta_admin: <CTA's name>``
so the pass-through still reaches the right cta-admin command) and adds aliases freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ctaops.errors import ConfigError

if TYPE_CHECKING:
    from ctaops.utils.config import Config

CUSTOM_DRIVE = "custom:drive"
"""The handler value upstream uses for the pass-through ``drive up|down|ls`` with its own rendering."""


@dataclass(frozen=True)
class Subcommand:
    """One subcommand: its name, its alias and the handler that runs it (``None``: cta-admin)."""

    name: str
    alias: str | None = None
    handler: str | None = None


@dataclass(frozen=True)
class Command:
    """One command of the table."""

    name: str
    cta_admin: str
    """The cta-admin command the pass-through runs (the name itself unless renamed)."""
    alias: str | None = None
    help: str = ""
    subcommands: tuple[Subcommand, ...] = ()
    table_headers: Mapping[str, Any] = field(default_factory=dict)

    def subcommand(self, word: str) -> Subcommand | None:
        """Return the subcommand called ``word`` or aliased so; ``None`` if there is none."""
        for sub in self.subcommands:
            if word in (sub.name, sub.alias):
                return sub
        return None


@dataclass(frozen=True)
class CommandTable:
    """Every command an operator can type, in the table's order."""

    commands: tuple[Command, ...]
    source: str
    """Where the table came from: the config file, or ``default``."""

    def command(self, word: str) -> Command | None:
        """Return the command called ``word`` or aliased so; ``None`` if the table has none."""
        for cmd in self.commands:
            if word in (cmd.name, cmd.alias):
                return cmd
        return None


def _text(where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int)):
        raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
    return str(value)


def _subcommands(where: str, raw: Any) -> tuple[Subcommand, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a map of subcommands")
    subs = []
    for name, given in raw.items():
        body = given or {}
        if not isinstance(body, Mapping):
            raise ConfigError(f"{where}.{name}: expected a map (alias, handler)")
        subs.append(
            Subcommand(
                str(name),
                alias=_text(f"{where}.{name}.alias", body.get("alias")),
                handler=_text(f"{where}.{name}.handler", body.get("handler")),
            )
        )
    return tuple(subs)


def parse_table(raw: Any, source: str) -> CommandTable:
    """Build the table from its YAML form (``{name: {alias, help, subcommands, table_headers}}``).

    Raises :class:`~ctaops.errors.ConfigError` naming the entry that is malformed, and for two
    commands (or two subcommands) answering to the same word.
    """
    where = "tools.cta-ops-admin.cta-ops-admin.commands"
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"{where}: expected a non-empty map of commands")
    commands = []
    for name, given in raw.items():
        body = given or {}
        if not isinstance(body, Mapping):
            raise ConfigError(f"{where}.{name}: expected a map")
        headers = body.get("table_headers") or {}
        if not isinstance(headers, Mapping):
            raise ConfigError(f"{where}.{name}.table_headers: expected a map of JSON key to title")
        cmd = Command(
            str(name),
            cta_admin=_text(f"{where}.{name}.cta_admin", body.get("cta_admin")) or str(name),
            alias=_text(f"{where}.{name}.alias", body.get("alias")),
            help=_text(f"{where}.{name}.help", body.get("help")) or "",
            subcommands=_subcommands(f"{where}.{name}.subcommands", body.get("subcommands")),
            table_headers=headers,
        )
        _check_unique(f"{where}.{name}.subcommands", [(s.name, s.alias) for s in cmd.subcommands])
        commands.append(cmd)
    _check_unique(where, [(c.name, c.alias) for c in commands])
    return CommandTable(tuple(commands), source)


def _check_unique(where: str, names: list[tuple[str, str | None]]) -> None:
    seen: dict[str, str] = {}
    for name, alias in names:
        for word in (name, alias):
            if word is None:
                continue
            if word in seen and seen[word] != name:
                raise ConfigError(f"{where}: '{word}' names both {seen[word]} and {name}")
            seen[word] = name


@cache
def default_table() -> CommandTable:
    """Return upstream's default table (``commands.yaml``)."""
    from ctaops.utils.config import load_yaml  # noqa: PLC0415  (config loads lazily)

    path = resources.files("ctaops.opsadmin").joinpath("commands.yaml")
    with resources.as_file(path) as file:
        return parse_table(load_yaml(file), "default")


def load_table(config: Config) -> CommandTable:
    """Return the configured table, or the default when the config has none."""
    section = config.tool.get("cta-ops-admin") or {}
    raw = section.get("commands") if isinstance(section, Mapping) else None
    if raw is None:
        return default_table()
    return parse_table(raw, config.source or "config")


__all__ = ["CUSTOM_DRIVE", "Command", "CommandTable", "Subcommand", "default_table", "load_table", "parse_table"]
