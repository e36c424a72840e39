"""The ``lexlens`` command: one sub-command per module in ``analytics.cli``.

Each command module defines ``add_parser(subparsers)``, which registers its
options and sets ``run=<function(args) -> int>``. Heavy imports (pandas,
boto3, streamlit) happen inside ``run`` so that ``--help`` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from lexlens import __version__
from lexlens.analytics.errors import LexlensError

# NumPy asks Linux for transparent huge pages for every array of 4 MB or more; each such page
# is zeroed whole (2 MiB) when first touched, and a forked process that writes into one it
# shares copies it whole. A command makes and drops arrays of millions of rows once: with huge
# pages, a first report of a million records spent ~0.8 s more CPU zeroing (13.97 against
# 13.18 s, 6 alternating runs). Read by NumPy at import; an explicit setting is kept.
# https://numpy.org/doc/2.0/reference/global_state.html#madvise-hugepage-on-linux
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

COMMAND_MODULES = (
    "lexlens.analytics.cli.report",
    "lexlens.analytics.cli.serve",
    "lexlens.analytics.cli.sample",
    "lexlens.analytics.cli.pull",
    "lexlens.analytics.cli.cache",
    "lexlens.analytics.cli.store",
    "lexlens.analytics.cli.add_utterances",
    "lexlens.analytics.cli.check",
    "lexlens.analytics.cli.publish",
)


class SentenceParser(argparse.ArgumentParser):
    """A parser whose usage errors are one sentence (argparse prints the whole usage block
    first): what was wrong, and where the options are listed. Sub-command parsers are made of
    the same class (``add_subparsers`` takes the parent's)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}; see '{self.prog} --help'.\n")


class RecordingSubparsers:
    """The ``subparsers`` a command module registers with, remembering each command's parser
    (under its name and its aliases)."""

    def __init__(self, subparsers, into: dict[str, argparse.ArgumentParser]):
        self.subparsers, self.into = subparsers, into

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        parser = self.subparsers.add_parser(name, **kwargs)
        for known_as in (name, *kwargs.get("aliases", ())):
            self.into[known_as] = parser
        return parser


def build_parser(commands: dict[str, argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    """The ``lexlens`` parser; ``commands``, when given, receives each command's own parser."""
    parser = SentenceParser(
        prog="lexlens",
        description="Analytics for Amazon Lex V2 conversation logs: reports, dashboard, writer.",
    )
    parser.add_argument("--version", action="version", version=f"lexlens {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    registry = RecordingSubparsers(subparsers, commands if commands is not None else {})
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(registry)
    return parser


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser, by name (``lexlens COMMAND --help`` prints its help); aliases
    (``fetch`` for ``pull``) left out."""
    commands: dict[str, argparse.ArgumentParser] = {}
    build_parser(commands)
    return {name: parser for name, parser in commands.items() if parser.prog.endswith(f" {name}")}


def main(argv: list[str] | None = None) -> int:
    commands: dict[str, argparse.ArgumentParser] = {}
    parser = build_parser(commands)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's parser: "lexlens report: unrecognized arguments: ..."
        commands.get(args.command, parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.run(args) or 0)
    except LexlensError as error:  # may quote a path or a reason from the logs: made visible
        from lexlens.analytics.text.visible import show_visible

        print(f"lexlens: {show_visible(error)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("lexlens: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run_and_exit() -> None:
    """The console script: ``main``, then exit without tearing down the interpreter.

    A report leaves a few hundred MB of tables behind; freeing them object by object
    takes longer than the rest of a small report, and the OS reclaims them at once.
    Output is flushed first; ``main`` stays a plain function for tests and embedding."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
