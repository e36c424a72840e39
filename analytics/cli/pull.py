"""``lexlens pull``: pull CloudWatch Logs into the cache, optionally to a file (``fetch`` is its
deprecated old name)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments
from lexlens.analytics.cli.option_types import given_path, positive_int, slice_hours


def add_parser(subparsers) -> None:
    pull = subparsers.add_parser(
        "pull", aliases=["fetch"], help="pull CloudWatch Logs events into the local cache (and a file); "
                                        "'fetch' is a deprecated alias",
        description="Pull Lex conversation logs from CloudWatch Logs into the local cache; with --out, "
                    "write the window's events (sorted, unique) as CloudWatch event lines.")
    add_cloudwatch_arguments(pull)
    pull.add_argument("--out", type=given_path, metavar="FILE", help="write the events here (.gz to compress)")
    pull.add_argument("--bot-id", action="append", default=[], metavar="ID",
                       help="only this bot, by id or name (repeatable; pushed into the filter pattern)")
    pull.add_argument("--locale", action="append", default=[], metavar="LOCALE",
                       help="only this locale, e.g. en_US (repeatable; pushed into the filter pattern)")
    pull.add_argument("--workers", type=lambda text: positive_int(text, 64), default=8, metavar="N",
                       help="slices fetched at once (default 8, at most 64)")
    pull.add_argument("--slice-hours", type=slice_hours, default=6.0, metavar="H",
                       help="length of one cached time slice in hours (default 6; 1/60 to 8760)")
    pull.add_argument("--refresh", action="store_true", help="fetch every slice again, ignoring the cache")
    from lexlens.analytics.cli.redact_options import add_redact_arguments

    add_redact_arguments(pull)
    pull.set_defaults(run=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.sources.cloudwatch import write_pull
    from lexlens.analytics.cli.cloudwatch_options import pull_from_args, raise_for_failures

    from lexlens.analytics.cli.redact_options import rules_from_args

    if args.command == "fetch":
        print("lexlens: 'lexlens fetch' is deprecated and will be removed: use 'lexlens pull'.", file=sys.stderr)
    if not args.log_group:
        raise LexlensError("Name at least one --log-group to pull.")
    rules = rules_from_args(args)
    if rules is not None and not args.out:
        raise LexlensError("--redact masks what pull writes with --out FILE; the cache itself keeps "
                           "raw events.", exit_code=2)
    result = pull_from_args(args)
    print(f"lexlens: {result.events:,} events in {len(result.files)} slices "
          f"({result.slices_fetched} fetched, {result.slices_cached} from the cache)", file=sys.stderr)
    raise_for_failures(result)
    if args.out:
        written = write_pull(result, args.out) if rules is None else write_redacted(result, args.out, rules)
        print(f"lexlens: wrote {written:,} events to {args.out}", file=sys.stderr)
    return 0


def write_redacted(result, out: Path, rules) -> int:
    """The pulled window's events with PII masked (``--redact``), written to ``out`` (gzip if
    .gz) through a temporary file beside it; the count."""
    import gzip
    import os

    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.privacy.records import redact_event_line
    from lexlens.analytics.sources.cloudwatch.cache import iter_window_events

    out = Path(out)
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    opener = gzip.open if out.name.endswith(".gz") else open
    count = 0
    try:
        with opener(temp, "wb") as handle:
            for line in iter_window_events(list(result.groups.values()), result.since, result.until):
                handle.write(redact_event_line(line, rules) + b"\n")
                count += 1
        os.replace(temp, out)
    except OSError as error:
        raise LexlensError(f"cannot write {out}: {error.strerror or error}.", exit_code=2) from None
    finally:
        temp.unlink(missing_ok=True)
    return count
