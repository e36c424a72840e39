"""``lexlens serve``: open the Streamlit dashboard on log files, folders or CloudWatch groups.

Starts ``streamlit run <installed dashboard>/app.py`` headless (through ``lexlens.dashboard.prewarm``,
which draws the landing page once as soon as the server listens); the sources and
options reach the app through environment variables (``dashboard.settings``). No source
means the bundled demo logs, so the dashboard opens without an AWS account.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from lexlens.analytics.cli.option_types import given_source
from lexlens.analytics.errors import LexlensError

DESCRIPTION = """Start the analytics dashboard and print its address (open it in your browser).
SOURCE is a log file or folder (as for `lexlens report`); with no SOURCE and no --log-group, the
bundled demo logs are shown."""
OUTCOME_OPTIONS = ("idle_timeout", "escalation_intent", "escalation_attribute", "escalation_action")
WRITES_HELP = ("show the writer panel that adds missed utterances to a bot's DRAFT through the "
               "Lex V2 models API, with the AWS credentials of this process (off by default)")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the dashboard (a web server; open the address it prints)", description=DESCRIPTION)
    parser.add_argument("sources", nargs="*", type=given_source, metavar="SOURCE", help="log files or folders")
    parser.add_argument("--port", type=int, default=8501, metavar="N", help="port to listen on (default 8501)")
    parser.add_argument("--host", default="127.0.0.1", metavar="H",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes it to the network)")
    parser.add_argument("--allow-writes", action="store_true", help=WRITES_HELP)
    from lexlens.analytics.cli.options import add_outcome_arguments
    from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments

    add_outcome_arguments(parser)  # the same options as `lexlens report`: the sidebar's defaults
    from lexlens.analytics.cli.options import add_exclusion_arguments

    add_exclusion_arguments(parser.add_argument_group("test traffic (the sidebar's defaults)"))
    add_cloudwatch_arguments(parser)
    from lexlens.analytics.cli.redact_options import add_redact_arguments
    from lexlens.analytics.cli.serve_access import add_access_arguments

    add_access_arguments(parser)
    add_redact_arguments(parser)
    from lexlens.analytics.cli.store_options import add_store_arguments

    add_store_arguments(parser)
    parser.set_defaults(run=run)


# Streamlit collects all of Python's garbage after every page run by default: with a million
# records loaded that held the server ~0.2 s after each click. Python's own collector still runs.
NO_FULL_GC_PER_RUN = ("--runner.postScriptGC", "false")


def app_path() -> Path:
    """The installed dashboard's entry script (a file on disk: Streamlit runs it by path, and
    reads the ``.streamlit/config.toml`` beside it)."""
    from importlib.resources import files

    return Path(str(files("lexlens.dashboard").joinpath("app.py"))).resolve()


def check_sources(sources: list[str]) -> list[str]:
    """Absolute paths, or a LexlensError naming the first one missing."""
    checked = []
    for source in sources:
        path = Path(source).expanduser()
        if not path.exists():
            raise LexlensError(f"{source} does not exist.", exit_code=2)
        checked.append(str(path.resolve()))
    return checked


def build_command(args: argparse.Namespace, auth_file: Path | None = None) -> list[str]:
    """The streamlit command line (headless, no usage statistics, hardened), through
    ``lexlens.dashboard.prewarm``: the same server, with the landing page drawn once at start."""
    from lexlens.analytics.cli.serve_access import streamlit_flags

    return [sys.executable, "-m", "lexlens.dashboard.prewarm", "run", str(app_path()),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.port", str(args.port), "--server.address", args.host,
            "--server.fileWatcherType", "none", "--global.developmentMode", "false",
            "--client.toolbarMode", "viewer", *NO_FULL_GC_PER_RUN, *streamlit_flags(auth_file)]


def build_environment(args: argparse.Namespace, auth_file: Path | None = None) -> dict[str, str]:
    from lexlens.analytics.cli.redact_options import rules_from_args
    from lexlens.analytics.cli.serve_access import access_settings
    from lexlens.dashboard.access import access_environment, redaction_environment
    from lexlens.dashboard.settings import settings_environment

    cloudwatch = {"log_groups": list(args.log_group), "region": args.region, "profile": args.profile,
                  "endpoint_url": args.endpoint_url, "since": args.since, "until": args.until,
                  "cache_dir": str(args.cache_dir) if args.cache_dir else None}
    outcome = {name: getattr(args, name) for name in OUTCOME_OPTIONS}
    env = dict(os.environ)
    exclusions = {"exclude_alias": args.exclude_alias, "exclude_version": args.exclude_version,
                  "exclude_attribute": [f"{key}={value}" for key, value in args.exclude_attribute]}
    env.update(settings_environment(check_sources(args.sources), args.allow_writes, cloudwatch, outcome,
                                    exclusions))
    env.update(access_environment(access_settings(args, auth_file)))
    env.update(redaction_environment(rules_from_args(args)))
    env.update(store_environment(args))
    return env


def store_environment(args: argparse.Namespace) -> dict[str, str]:
    """--store-dir and --no-store for the app (analytics.store.catalog.store_from_environment)."""
    from lexlens.analytics.store.catalog import STORE_SWITCH_VAR

    env = {STORE_SWITCH_VAR: "0" if args.no_store else "1"}
    if args.store_dir:
        env["LEXLENS_STORE_DIR"] = str(args.store_dir.expanduser().resolve())
    return env


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise LexlensError(f"--port {args.port} is not a port number (1-65535).", exit_code=2)
    from lexlens.analytics.cli.serve_access import check_auth_options, listening_sentences

    auth_file = check_auth_options(args)
    command = build_command(args, auth_file)
    env = build_environment(args, auth_file)
    for sentence in listening_sentences(args, auth_file):
        print(f"lexlens: {sentence}", file=sys.stderr)
    if args.allow_writes:
        print("lexlens: writes enabled: the Missed utterances page can change bots' DRAFT intents.",
              file=sys.stderr)
    sys.stderr.flush()
    if os.name == "posix":  # become streamlit: signals (Ctrl+C, SIGTERM) reach it directly
        os.execve(sys.executable, command, env)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0
