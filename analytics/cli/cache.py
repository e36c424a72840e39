"""``lexlens cache info|clear``: what the CloudWatch cache holds, and emptying it."""
from __future__ import annotations

import argparse
import json

from lexlens.analytics.cli.option_types import given_path


def add_parser(subparsers) -> None:
    cache = subparsers.add_parser("cache", help="show or clear the CloudWatch cache")
    actions = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    info = actions.add_parser("info", help="what the cache holds")
    info.add_argument("--cache-dir", type=given_path, metavar="DIR", help="cache directory (default: user cache)")
    info.add_argument("--json", action="store_true", help="print JSON instead of a table")
    info.set_defaults(run=run_cache_info)
    clear = actions.add_parser("clear", help="delete cached events")
    clear.add_argument("--cache-dir", type=given_path, metavar="DIR", help="cache directory (default: user cache)")
    clear.add_argument("--log-group", metavar="NAME", help="only this log group's events")
    clear.set_defaults(run=run_cache_clear)


def render_cache_table(status: dict) -> str:
    """Plain-text table of ``cache_status``."""
    from lexlens.analytics.timewindow import format_ms

    lines = [f"cache: {status['cache_dir']} ({status['bytes'] / 1e6:.1f} MB)"]
    if not status.get("exists", True):
        lines.append("empty (the folder does not exist yet)")
    elif not status["namespaces"]:
        lines.append("empty")
    for entry in status["namespaces"]:
        span = (f"{format_ms(entry['first'])} .. {format_ms(entry['last'])}" if entry["first"] is not None else "-")
        where = entry["endpoint"] or entry["region"]
        pattern = f" filter {entry['filter_pattern']}" if entry["filter_pattern"] else ""
        lines.append(f"{entry['log_group']}  [{entry['region']} {where} account {entry['account']}]{pattern}")
        damaged = (f"; {entry['damaged_slices']} damaged, fetched again by the next pull"
                   if entry.get("damaged_slices") else "")
        lines.append(f"    {entry['slices']} slices ({entry['complete_slices']} complete{damaged}), "
                     f"{entry['events']:,} events, {entry['bytes'] / 1e6:.1f} MB, {span}")
    return "\n".join(lines)


def run_cache_info(args: argparse.Namespace) -> int:
    from lexlens.analytics.sources.cloudwatch import cache_status
    from lexlens.analytics.cli.cloudwatch_options import resolve_cache_dir

    status = cache_status(resolve_cache_dir(args))
    print(json.dumps(status, indent=2) if args.json else render_cache_table(status))
    return 0


def run_cache_clear(args: argparse.Namespace) -> int:
    from lexlens.analytics.sources.cloudwatch import clear_cache
    from lexlens.analytics.cli.cloudwatch_options import resolve_cache_dir

    from lexlens.analytics.errors import LexlensError

    cache_dir = resolve_cache_dir(args)
    freed = clear_cache(cache_dir, args.log_group)
    if not freed["exists"]:
        print(f"nothing to clear: {cache_dir} does not exist")
        return 0
    what = f"log group {args.log_group}" if args.log_group else "everything"
    done = f"{freed['namespaces']} cached log groups, {freed['bytes'] / 1e6:.1f} MB"
    if freed["problems"]:
        problems = freed["problems"]
        raise LexlensError(f"could not clear {what} from {cache_dir}: {len(problems):,} files or folders "
                           f"could not be deleted, e.g. {problems[0]} (deleted: {done}).", exit_code=1)
    if args.log_group and not freed["namespaces"]:
        print(f"nothing to clear: {cache_dir} holds no cache of log group {args.log_group}")
        return 0
    print(f"cleared {what} from {cache_dir}: {done}")
    return 0
