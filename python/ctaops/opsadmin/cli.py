"""``cta-ops-admin``: cta-admin for operators, with hardware and life-cycle handlers.

``cta-ops-admin [-h] [-V] [-C CONFIG_FILE] [--json] [--dry-run] <cmd> [<subcmd>] [options…]``

Every word is looked up in the command table (:mod:`ctaops.opsadmin.commands`): a subcommand
with a ``handler`` runs ctaops code (:mod:`ctaops.opsadmin.handlers`), anything else goes to
cta-admin through the cta-admin layer (``--json`` added, CTA's errors translated through
``global.logging.error_translation_file``) and comes back as a table with the command's
``table_headers`` and ``empty_table_item_char``, times and sizes for people; ``--json``
prints CTA's records unchanged instead. ``--json`` and ``--dry-run`` may be written before
or after the command words.

Exit status: handlers 0 done, 1 failed or refused, 2 usage error; the pass-through exits as
cta-admin does (2 when CTA refuses the command, 1 for other failures), so scripts written
for cta-admin keep working.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import TYPE_CHECKING

from ctaops import _toolcli
from ctaops.errors import CtaAdminError, CtaAdminUserError
from ctaops.opsadmin import handlers
from ctaops.opsadmin.commands import Command, CommandTable, Subcommand, default_table, load_table
from ctaops.opsadmin.context import Context
from ctaops.utils.redact import one_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ctaops.utils.config import Config

PROG = "cta-ops-admin"
SECTION = "cta-ops-admin"
"""``tools.cta-ops-admin.cta-ops-admin``: the table's own settings (``empty_table_item_char``)."""
USAGE = f"usage: {PROG} [-h] [-V] [-C CONFIG_FILE] [--json] [--dry-run] <cmd> [<subcmd>] [options]"
HANDLERS_HELP = "Handlers: cta-ops-admin <cmd> <subcmd> --help. Other subcommands go to cta-admin."
OWN_FLAGS = ("--json", "--dry-run")
"""Options cta-ops-admin takes wherever they are written (cta-admin would read them as words)."""


def _commands_help(table: CommandTable) -> str:
    lines = [f"commands (from {table.source}; the alias in brackets):"]
    for cmd in table.commands:
        alias = f" [{cmd.alias}]" if cmd.alias else ""
        subs = ",".join(s.name for s in cmd.subcommands)
        lines.append(f"  {cmd.name}{alias}  {{{subs}}}  {cmd.help}" if subs else f"  {cmd.name}{alias}  {cmd.help}")
    return "\n".join(lines)


def _table_for_help(argv: Sequence[str] | None) -> CommandTable:
    """Return the table ``--help`` lists: the config's (``-C``) when it loads, else the default."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("-C", "--config-file")
    known, _ = pre.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    try:
        from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --version fast)

        return load_table(load_config(known.config_file, PROG))
    except Exception:  # help must print even with a broken config; the run reports it
        return default_table()


class _HelpFormatter(_toolcli.WholePathsFormatter, argparse.RawDescriptionHelpFormatter):
    """Whole paths in option help, the command list (epilog) as written."""


def build_parser(table: CommandTable) -> argparse.ArgumentParser:
    """Build the top-level parser: the common options, then the command words."""
    p = _toolcli.parser(PROG, "cta-admin for operators: handlers for tapes, drives and queues, tables for people.")
    p.formatter_class = _HelpFormatter
    p.epilog = f"{_commands_help(table)}\n\n{HANDLERS_HELP}"
    p.add_argument("--json", action="store_true", help="print CTA's JSON records (a handler: its JSON), not a table")
    p.add_argument("--dry-run", action="store_true", help="show what would be done or run, change nothing")
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="<cmd> [<subcmd>] [options]", help="as for cta-admin")
    return p


def _pull_own_flags(words: list[str], args: argparse.Namespace) -> list[str]:
    """Take ``--json``/``--dry-run`` out of the words (written after the command), setting them once."""
    rest = []
    for word in words:
        if word in OWN_FLAGS:
            name = word[2:].replace("-", "_")
            if getattr(args, name):
                raise _toolcli.ToolExit(2, f"{word} given twice")
            setattr(args, name, True)
        else:
            rest.append(word)
    return rest


def _resolve(table: CommandTable, words: list[str]) -> tuple[Command, Subcommand | None, list[str]]:
    cmd = table.command(words[0])
    if cmd is None:
        names = ", ".join(c.name for c in table.commands)
        raise _toolcli.ToolExit(2, f"unknown command '{words[0]}' (commands: {names})")
    rest = words[1:]
    if not cmd.subcommands:
        return cmd, None, rest
    if not rest or rest[0].startswith("-"):
        subs = ", ".join(s.name for s in cmd.subcommands)
        raise _toolcli.ToolExit(2, f"{cmd.name}: missing subcommand (one of: {subs})")
    sub = cmd.subcommand(rest[0])
    if sub is None:
        subs = ", ".join(s.name for s in cmd.subcommands)
        raise _toolcli.ToolExit(2, f"{cmd.name}: unknown subcommand '{rest[0]}' (one of: {subs})")
    return cmd, sub, rest[1:]


def _context(config: Config, args: argparse.Namespace, cmd: Command, sub: Subcommand | None) -> Context:
    own = config.tool.get(SECTION) or {}
    section = config.tool.get(sub.handler, {}) if sub is not None and sub.handler else {}
    words = f"{cmd.name} {sub.name}" if sub is not None else cmd.name
    return Context(
        prog=f"{PROG} {words}",
        config=config,
        section=section if isinstance(section, dict) else {},
        log=_toolcli.setup_logging(PROG, args.verbose, config=config, log_json=args.log_json),
        command=cmd.name,
        subcommand=sub.name if sub is not None else None,
        headers=cmd.table_headers,
        empty=str(own.get("empty_table_item_char", "-")),
        dry_run=args.dry_run,
        json=args.json,
    )


def _run_handler(ctx: Context, handler_name: str, words: list[str]) -> int:
    handler = handlers.load(handler_name)
    p = _toolcli.OneLineParser(prog=ctx.prog, description=handler.HELP)
    p.add_argument("--dry-run", action="store_true", default=ctx.dry_run, help="show what would change, change nothing")
    p.add_argument("--json", action="store_true", default=ctx.json, help="print JSON instead of a table")
    handler.add_arguments(p)
    args = p.parse_args(words)
    ctx.dry_run, ctx.json = args.dry_run, args.json
    if ctx.section.get("debug"):
        ctx.log.setLevel("DEBUG")
    return handler.run(ctx, args)


def _cta_admin_help(ctx: Context, cmd: Command) -> int:
    """cta-admin's own help for a pass-through command (``cta-admin <cmd> help``)."""
    settings = ctx.admin.settings
    argv = [settings.cta_admin] + (["--config", settings.config_file] if settings.config_file else [])
    print(f"{ctx.prog}: passed to cta-admin as '{cmd.cta_admin}' (cta-admin's options apply):")
    sys.stdout.flush()
    done = subprocess.run([*argv, cmd.cta_admin, "help"], check=False, timeout=settings.timeout)  # noqa: S603
    return 0 if done.returncode in (0, 1) else done.returncode


def pass_through(ctx: Context, cmd: Command, sub: Subcommand | None, words: list[str]) -> int:
    """Run the command with cta-admin and print its records (table or JSON) or its message."""
    if any(w in ("-h", "--help") for w in words):
        return _cta_admin_help(ctx, cmd)
    cta_words = [cmd.cta_admin] + ([sub.name] if sub is not None else []) + words
    if ctx.dry_run:
        print("would run: cta-admin --json " + " ".join(cta_words))
        return 0
    try:
        result = ctx.admin.run(*cta_words)
    except CtaAdminUserError as e:
        print(f"{ctx.prog}: error: {one_line(e)}", file=sys.stderr)
        return 2
    except CtaAdminError as e:
        print(f"{ctx.prog}: error: {one_line(e)}", file=sys.stderr)
        return 1
    if isinstance(result, str):
        ctx.print(result.strip())
    elif ctx.json:
        ctx.print(result.to_json())
    else:
        ctx.print(ctx.records_table(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run cta-admin-style command words; see the module docstring."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --version fast)

    table = _table_for_help(argv)
    args = build_parser(table).parse_args(None if argv is None else list(argv))
    words = _pull_own_flags(list(args.words), args)
    config = load_config(args.config_file, PROG)
    table = load_table(config)
    if not words:
        print(USAGE, file=sys.stderr)
        print(_commands_help(table), file=sys.stderr)
        return 2
    cmd, sub, rest = _resolve(table, words)
    ctx = _context(config, args, cmd, sub)
    if sub is not None and sub.handler:
        return _run_handler(ctx, sub.handler, rest)
    return pass_through(ctx, cmd, sub, rest)


def console() -> None:
    """Run the ``cta-ops-admin`` console script."""
    _toolcli.run(PROG, main)
