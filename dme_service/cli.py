"""The `dme-service` command: a table of subcommands, each imported only when used.

Each subcommand lives in `dme_service.commands.<name>` with `add_arguments(parser)` and
`run(args) -> int`. Importing only the chosen one keeps Flask, SQLAlchemy and WeasyPrint
off the path of `dme-service evaluate`, which billing scripts call once per case.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). Order is the order shown by --help.
COMMANDS: dict[str, tuple[str, str]] = {
    "evaluate": ("dme_service.commands.evaluate", "decide a dme-case/1 document (JSON out)"),
    "render": ("dme_service.commands.render", "render the LMN, SWO, instructions or packet PDF"),
    "fhir": ("dme_service.commands.fhir", "print a case as a FHIR R4 Bundle"),
    "import-fhir": ("dme_service.commands.import_fhir", "create a case from a FHIR R4 Bundle"),
    "serve": ("dme_service.commands.serve", "serve the web app (development server)"),
    "db": ("dme_service.commands.db", "create or upgrade the database (Alembic)"),
    "clinic": ("dme_service.commands.clinic", "create a clinic and its first admin; list clinics"),
    "user": ("dme_service.commands.user", "add a user to a clinic (prints a set-password link)"),
    "mail": ("dme_service.commands.mail", "send the daily signature reminders; a test message"),
    "demo": ("dme_service.commands.demo", "seed a demo clinic with users and cases"),
    "token": ("dme_service.commands.token", "create or revoke API bearer tokens"),
    "totp-reset": ("dme_service.commands.totp_reset", "reset an admin's lost TOTP authenticator"),
    "backup": ("dme_service.commands.backup", "back up the database and documents"),
    "restore": ("dme_service.commands.restore", "restore a backup into an empty database"),
    "audit": ("dme_service.commands.audit", "verify the audit trail's hash chain"),
    "codes": ("dme_service.commands.codes", "build the compact ICD-10-CM code index"),
    "claims": ("dme_service.commands.claims", "export the 837P claim file, import an 835"),
}


def _usage(commands: dict[str, tuple[str, str]]) -> str:
    width = max((len(name) for name in commands), default=8)
    lines = ["usage: dme-service COMMAND [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in commands.items()]
    lines += ["", "dme-service COMMAND --help shows a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = COMMANDS
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage(commands))
        return 0 if argv else 2
    name = argv[0]
    if name not in commands:
        print(f"dme-service: unknown command {name!r}\n\n{_usage(commands)}", file=sys.stderr)
        return 2
    module = importlib.import_module(commands[name][0])
    parser = argparse.ArgumentParser(prog=f"dme-service {name}", description=commands[name][1])
    module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    return int(module.run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
