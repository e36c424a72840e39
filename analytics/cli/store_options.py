"""The store options every command that reads log files shares: ``--store-dir`` and
``--no-store`` (analytics/store)."""
from __future__ import annotations

import argparse

from lexlens.analytics.cli.option_types import given_path


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("store (parsed logs kept on disk, docs/store.md)")
    group.add_argument("--store-dir", type=given_path, metavar="DIR",
                       help="where parsed tables are kept between runs (default: the user cache, "
                            "or LEXLENS_STORE_DIR)")
    group.add_argument("--no-store", action="store_true",
                       help="parse every file again and keep nothing (same results, slower)")


def store_from_args(args):
    """The Store the options name, or None with --no-store."""
    from lexlens.analytics.store.catalog import Store, store_from_environment

    if getattr(args, "no_store", False):
        return None
    if getattr(args, "store_dir", None):
        return Store(args.store_dir)
    return store_from_environment()
