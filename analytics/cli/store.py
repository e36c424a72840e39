"""``lexlens store info|clear``: what the store of parsed logs holds, and emptying it."""
from __future__ import annotations

import argparse
import json

from lexlens.analytics.cli.option_types import given_path


def add_parser(subparsers) -> None:
    store = subparsers.add_parser("store", help="show or clear the store of parsed logs")
    actions = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    info = actions.add_parser("info", help="what the store holds")
    info.add_argument("--store-dir", type=given_path, metavar="DIR", help="store folder (default: user cache)")
    info.add_argument("--json", action="store_true", help="print JSON instead of a table")
    info.set_defaults(run=run_info)
    clear = actions.add_parser("clear", help="delete every stored table (the logs are untouched)")
    clear.add_argument("--store-dir", type=given_path, metavar="DIR", help="store folder (default: user cache)")
    clear.set_defaults(run=run_clear)


def chosen_store(args):
    """The store the options name; a path that exists but is not a folder is one sentence."""
    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.store.catalog import Store, default_store_dir

    store = Store(args.store_dir or default_store_dir())
    if store.root.exists() and not store.root.is_dir():
        raise LexlensError(f"{store.root} is not a folder: name the store's folder with --store-dir.", exit_code=2)
    return store


def render_info(status: dict) -> str:
    from lexlens.analytics.text.visible import show_visible

    lines = [f"store: {status['store_dir']} ({status['bytes'] / 1e6:,.1f} MB in {status['pieces']} piece(s))"]
    if not status["exists"]:
        lines.append("empty (the folder does not exist yet)")
    elif not status["stored"]:
        lines.append("empty")
    for entry in status["stored"]:
        notes = [] if entry["present"] else ["file gone"]
        notes += [] if entry["current"] else ["written by another lexlens version: not read"]
        suffix = f"  ({'; '.join(notes)})" if notes else ""
        lines.append(f"  {show_visible(entry['path'])}: {entry['bytes'] / 1e6:,.1f} MB of the file, "
                     f"{entry['segments']} segment(s){suffix}")
    if status["exists"]:
        lines.append(f"also kept: {status['kept_values']:,} dashboard figure(s) and report part(s), "
                     f"{status['score_files']:,} VADER score file(s)")
    return "\n".join(lines)


def run_info(args: argparse.Namespace) -> int:
    from lexlens.analytics.store.admin import describe_store

    status = describe_store(chosen_store(args))
    print(json.dumps(status, indent=2) if args.json else render_info(status))
    return 0


def run_clear(args: argparse.Namespace) -> int:
    from lexlens.analytics.store.admin import clear_store

    removed = clear_store(chosen_store(args))
    if not removed["exists"]:
        print(f"nothing to clear: {removed['store_dir']} holds no lexlens store.")
        return 0
    print(f"cleared the store {removed['store_dir']}: {removed['files']} file(s), {removed['pieces']} piece(s), "
          f"{removed['bytes'] / 1e6:,.1f} MB.")
    return 0
