"""``lexlens report``: the analytics of local log files or CloudWatch log groups, headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lexlens.analytics.cli.option_types import Deprecated, given_path, given_source, positive_int
from lexlens.analytics.cli.options import (add_filter_arguments, add_outcome_arguments, escalation_from_args,
                                           filters_from_args)
from lexlens.analytics.cli.store_options import store_from_args
from lexlens.analytics.errors import LexlensError

DESCRIPTION = """Summarise Lex V2 conversation logs: totals, sessions, intents, missed
utterances, sentiment, paths, outcomes. SOURCE is a file (JSONL, CloudWatch event lines,
filter-log-events output, S3-export lines; .gz or not) or a folder of them."""


GLOSSARY_EPILOG = "<the metric definitions>"  # replaced by GlossaryHelpFormatter


class GlossaryHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Prints the metric definitions (``analytics.report.glossary``) as the epilog, imported only
    when help is printed: importing them while building the parser imported pandas and every
    metric for every command (~0.35 s before any work)."""

    def add_text(self, text) -> None:
        if text == GLOSSARY_EPILOG:
            from lexlens.analytics.report.glossary import render_help

            text = render_help()
        super().add_text(text)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help="print a report of conversation logs",
                                   description=DESCRIPTION, epilog=GLOSSARY_EPILOG,
                                   formatter_class=GlossaryHelpFormatter)
    parser.add_argument("sources", nargs="*", type=given_source, metavar="SOURCE", help="log files or folders")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--csv-dir", type=given_path, metavar="DIR", help="write one CSV per table into DIR (created if missing)")
    parser.add_argument("--out", dest="csv_dir", type=given_path, action=Deprecated, new="--csv-dir DIR", metavar="DIR")
    parser.add_argument("--top", type=positive_int, default=10, metavar="N",
                        help="rows in top-N lists (default 10)")
    parser.add_argument("--tz", default="UTC", metavar="ZONE",
                        help="time zone for heatmaps and time bins, e.g. Europe/Paris (default UTC)")
    parser.add_argument("--rejects", type=given_path, metavar="FILE",
                        help="write rejected lines with file, line number and reason (JSON lines)")
    add_filter_arguments(parser)
    add_outcome_arguments(parser)
    from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments

    add_cloudwatch_arguments(parser, window=False)  # the filters' --since and --until bound the pull
    from lexlens.analytics.cli.redact_options import add_redact_arguments

    add_redact_arguments(parser)
    from lexlens.analytics.cli.engine_options import add_engine_arguments

    add_engine_arguments(parser)
    from lexlens.analytics.cli.store_options import add_store_arguments

    add_store_arguments(parser)
    parser.set_defaults(run=run)


def check_time_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LexlensError(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris.",
                           exit_code=2) from None
    return name


def start_scan(args):
    """Plan the load against the store and start the C scanner on what is new, at once, so
    it runs while pandas is imported (``analytics.store.loader.start_stored_scan``); None
    when it does not apply."""
    if getattr(args, "log_group", None) or not args.sources:
        return None
    from lexlens.analytics.store.loader import start_stored_scan, start_unstored_scan

    store = store_from_args(args)
    return start_unstored_scan(args.sources) if store is None else start_stored_scan(store, args.sources)


def load_sources(args, progress=True, pending=None, writing=None):
    """LogData from the SOURCE paths (through the store unless --no-store) and any
    --log-group, or a LexlensError. ``writing``: a list that receives the load's StoreUse when
    its new pieces are still being written beside the caller (``finish_store_write``)."""
    from lexlens.analytics.cli.progress import make_byte_progress
    from lexlens.analytics.cli.cloudwatch_options import load_from_args
    from lexlens.analytics.store.loader import load_logs_stored

    paths = list(args.sources) + list(load_from_args(args))
    if not paths:
        raise LexlensError("no input: name a log file or folder, or --log-group NAME.", exit_code=2)
    store = store_from_args(args)
    data, use = load_logs_stored(paths, store, progress=make_byte_progress() if progress else None,
                                 planned=pending, aside=writing is not None)
    if use.writer is not None:
        writing.append(use)
    else:
        print_store_note(use)
    return data


def print_store_note(use) -> None:
    if use.used and use.note:  # the store failed; the load did not
        from lexlens.analytics.text.visible import show_visible

        print(f"lexlens: note: {show_visible(use.note)}", file=sys.stderr)


def finish_store_write(writing: list) -> None:
    """Wait for the store's pieces written beside the report, and say if that failed."""
    for use in writing:
        use.finish_writing()
        print_store_note(use)
    writing.clear()


def stored_vader_memo(args):
    """The VADER scores of the store (analytics.store.scores), or None with --no-store."""

    store = store_from_args(args)
    if store is None:
        return None
    from lexlens.analytics.metrics.sentiment import ScoreMemo, vader_scoring
    from lexlens.analytics.store.scores import stored_scores

    return ScoreMemo(*stored_scores(store, vader_scoring()))


def write_rejects(path: Path, data) -> None:
    from lexlens.analytics.text.visible import json_text

    try:
        with open(path, "w", encoding="utf-8") as handle:
            for rejection in data.report.rejections:  # control characters escaped: people cat it
                handle.write(json_text({"file": rejection.source, "line": rejection.line,
                                        "reason": rejection.reason, "text": rejection.text}) + "\n")
    except OSError as error:
        raise LexlensError(f"cannot write {path}: {error.strerror or error}.", exit_code=2) from None


def run(args) -> int:
    from lexlens.analytics.cli.engine_options import check_engine_args, run_engine
    from lexlens.analytics.cli.redact_options import rules_from_args

    check_engine_args(args)
    if args.engine != "local":
        filters_from_args(args)  # the same option checks as the local engine's
        pushed = run_engine(args, check_time_zone(args.tz))
        if pushed is not None:
            sys.stdout.write(pushed)
            return 0
    pending = start_scan(args)
    writing: list = []  # the store's new pieces, written beside the report
    try:
        tz = check_time_zone(args.tz)
        filters = filters_from_args(args)
        rules = rules_from_args(args)
        if args.csv_dir:
            from lexlens.analytics.report.as_csv import prepare_folder

            prepare_folder(args.csv_dir)
        source = source_key_of(args, pending, filters, rules)
        key = output_key_of(args, source)
        if key is not None:
            from lexlens.analytics.store.outputs import kept_output

            kept = kept_output(store_from_args(args), key)
            if kept is not None:
                sys.stdout.write(kept)
                return 0
        options, kept_parts, missing = None, {}, None  # missing None: every part
        if source is not None:  # every file in the store: parts computed before under these options
            from lexlens.analytics.report.kept_parts import kept_parts_of, parts_missing

            options = report_options(args, tz)
            kept_parts = kept_parts_of(store_from_args(args), source, options)
            missing = parts_missing(kept_parts)
        data = load_sources(args, pending=pending, writing=writing) if missing != () else None
    finally:
        if pending is not None and pending.pending is not None:  # used by now, or not needed after an error
            pending.pending.executor.shutdown(wait=False, cancel_futures=True)
    try:
        options = options or report_options(args, tz)
        computed = compute_missing_parts(args, data, filters, rules, options, missing)
        from lexlens.analytics.report.build import assemble_report

        report = assemble_report([*kept_parts.values(), *computed.values()])
        if args.csv_dir:
            from lexlens.analytics.report.as_csv import describe_written, write_tables

            sys.stderr.write(describe_written(args.csv_dir, write_tables(args.csv_dir, report)))
        if args.json:
            from lexlens.analytics.report.as_json import render_json

            text = render_json(report)
        else:
            from lexlens.analytics.report.as_text import render_text_report

            text = render_text_report(report)
        sys.stdout.write(text)
        if key is not None:
            from lexlens.analytics.store.outputs import keep_output

            finish_store_write(writing)  # the output is kept once its tables are
            keep_output(store_from_args(args), key, text)
        if source is not None and computed:
            from lexlens.analytics.report.kept_parts import keep_parts

            finish_store_write(writing)
            keep_parts(store_from_args(args), source, options, computed)
        return 0
    finally:
        finish_store_write(writing)


def report_options(args, tz: str):
    """The report's options (``report.build.ReportOptions``), VADER's stored scores aside."""
    from lexlens.analytics.report.build import ReportOptions

    return ReportOptions(top=args.top, tz=tz, idle_timeout_s=args.idle_timeout,
                         escalation=escalation_from_args(args), tables=bool(args.csv_dir))


def compute_missing_parts(args, data, filters, rules, options, missing: tuple | None) -> dict:
    """The report's ``missing`` parts (by name; None: every part) of the loaded ``data``, masked
    and filtered, or a LexlensError when nothing is left to report on."""
    if missing == ():
        return {}
    if rules is not None:  # before anything is printed or written
        from lexlens.analytics.privacy.redact import redact_log_data

        data = redact_log_data(data, rules)
    if args.rejects:
        write_rejects(args.rejects, data)
    if data.report.accepted == 0:
        raise LexlensError(empty_input_sentence(data, rejects_option=True), exit_code=1)
    if data.turns.empty:
        from lexlens.analytics.ingest.server_responses import describe_only_server_responses

        raise LexlensError(describe_only_server_responses(len(data.server_responses)), exit_code=1)
    from lexlens.analytics.filters import apply_filters

    filtered = apply_filters(data, filters)
    if filtered.turns.empty:
        raise LexlensError(nothing_matches_sentence(data, args), exit_code=NOTHING_MATCHES)
    from dataclasses import replace

    from lexlens.analytics.report.build import PARTS, compute_vader_part
    from lexlens.analytics.report.two_cores import compute_parts_on_two_cores

    missing = PARTS if missing is None else missing
    if compute_vader_part in missing:
        options = replace(options, vader_memo=stored_vader_memo(args))
    return compute_parts_on_two_cores(filtered, options, missing)


def source_key_of(args, planned, filters, rules):
    """The key of the stored files and filters this report reads (analytics.store.outputs),
    under which the store keeps its parts and output, or None when nothing is kept: something
    to parse or pull, PII masked with this run's secret, files written."""
    if planned is None or rules is not None or args.csv_dir or args.rejects:
        return None
    from lexlens.analytics.store.outputs import source_key

    return source_key(planned.plans, repr(filters))


def output_key_of(args, source):
    """The key under which the store keeps this report's output: its source's key and every
    option as given (None with no source key)."""
    if source is None:
        return None
    from lexlens.analytics.store.outputs import output_key

    return output_key(source, {name: value for name, value in vars(args).items() if name != "run"})


NOTHING_MATCHES = 3  # exit code: the input has records, but none passes the filters


def nothing_matches_sentence(data, args) -> str:
    """One sentence saying the filters left nothing, and what the data holds instead."""
    from lexlens.analytics.filters import describe_values

    given = [f"{option} {value}" for option, values in (("--bot-id", args.bot_id), ("--alias", args.alias),
                                                         ("--locale", args.locale), ("--bot-version", args.bot_version),
                                                         ("--exclude-alias", args.exclude_alias),
                                                         ("--exclude-version", args.exclude_version),
                                                         ("--exclude-attribute",
                                                          [f"{k}={v}" for k, v in args.exclude_attribute]),
                                                         ("--since", [args.since] if args.since else []),
                                                         ("--until", [args.until] if args.until else []))
             for value in values]
    held = describe_values(data)
    bots = ", ".join(f"{name} ({bot_id})" for name, bot_id in held["bots"])
    return (f"no turns match the filters ({', '.join(given)}); the data has bots {bots}; "
            f"aliases {', '.join(held['aliases'])}; locales {', '.join(held['locales'])}; "
            f"versions {', '.join(held['versions'])}; times from {held['first']:%Y-%m-%d %H:%M} to "
            f"{held['last']:%Y-%m-%d %H:%M} UTC.")


def empty_input_sentence(data, rejects_option: bool = False) -> str:
    """Why a load gave no records, in one sentence: the lines read, the commonest reason lines
    were rejected (without its per-line detail) and where the first one is."""
    from lexlens.analytics.report.as_text import plural

    report = data.report
    if report.rejected:
        from collections import Counter

        from lexlens.analytics.report.build import REASON_DETAIL

        top = Counter(REASON_DETAIL.sub("", r.reason) for r in report.rejections).most_common(1)[0][0]
        first = report.rejections[0]
        every = "; --rejects FILE lists every one" if rejects_option else ""
        return (f"no Lex V2 conversation-log records in the input: {plural(report.lines, 'line')} read, "
                f"{report.rejected:,} rejected, most often as {top} (the first: line {first.line} of "
                f"{first.source}){every}.")
    return f"no Lex V2 conversation-log records in the input ({plural(report.lines, 'line')} read, all blank)."
