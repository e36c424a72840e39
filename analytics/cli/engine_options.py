"""``lexlens report --engine local|insights|auto``: where the report is computed.

``local`` (the default) pulls the events and computes everything on this machine. ``insights``
computes the pushed-down metrics (``metrics.finalize.PUSHED_KEYS``) on CloudWatch Logs Insights,
where the logs live, and pulls only query rows; ``auto`` counts the window's records with the
first Insights query and pulls when they are at most ``--auto-records`` (or when the field
guard finds records Logs Insights cannot read whole). See docs/insights-engine.md.
"""
from __future__ import annotations

import argparse
import sys

from lexlens.analytics.cli.option_types import given_path, positive_int
from lexlens.analytics.errors import LexlensError

ENGINES = ("local", "insights", "auto")
AUTO_RECORDS = 1_000_000
CONCURRENCY = 10  # of the account's 100 concurrent Logs Insights queries (dashboards included)
MOST_CONCURRENCY = 100


def concurrency(text: str) -> int:
    """Queries at once: 1 to 100, the account's limit
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatchLogs-Insights-Query-History.html)."""
    return positive_int(text, MOST_CONCURRENCY)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Engine (with --log-group)")
    group.add_argument("--engine", choices=ENGINES, default="local",
                       help="local: pull the events and compute here (default); insights: compute totals, "
                            "intents, sessions, top utterances, activity and the sessions heatmap on CloudWatch "
                            "Logs Insights; auto: insights when the window holds more than --auto-records records")
    group.add_argument("--auto-records", type=positive_int, default=AUTO_RECORDS, metavar="N",
                       help=f"--engine auto pulls up to N records (default {AUTO_RECORDS:,})")
    group.add_argument("--drill-down", type=given_path, metavar="FILE",
                       help="with the Insights engine: write the turns of the busiest sessions listed (--top) to FILE "
                            "as CloudWatch event lines; lexlens report FILE shows their paths, outcomes and transcripts")
    group.add_argument("--estimate", action="store_true",
                       help="with --engine insights or auto: print an upper bound of the bytes the run would scan "
                            "(the log groups' stored bytes) and exit without starting a query")
    group.add_argument("--insights-concurrency", type=concurrency, default=CONCURRENCY, metavar="N",
                       help=f"Logs Insights queries at once, 1 to 100 (default {CONCURRENCY})")


def check_engine_args(args) -> None:
    """One sentence (exit 2) for options the Insights engine cannot honour."""
    if args.engine == "local":
        if args.estimate:
            raise LexlensError("--estimate tells what Logs Insights would scan: give --engine insights or auto "
                               "(--engine local pulls the events, which costs no Logs Insights scan).", exit_code=2)
        if args.drill_down:
            raise LexlensError("--drill-down pulls sessions after an Insights run; with --engine local every turn "
                               "is here already (--csv-dir writes the turns table).", exit_code=2)
        return
    engine = f"--engine {args.engine}"
    if not args.log_group:
        raise LexlensError(f"{engine} computes on CloudWatch Logs Insights: give --log-group NAME "
                           "(local files use --engine local).", exit_code=2)
    if args.sources:
        raise LexlensError(f"{engine} reads only --log-group groups; report SOURCE files with --engine local.",
                           exit_code=2)
    for option, given in (("--csv-dir", args.csv_dir), ("--rejects", args.rejects), ("--redact", args.redact)):
        if given:
            raise LexlensError(f"{option} needs the records on this machine, which {engine} does not pull; "
                               "use --engine local.", exit_code=2)


def insights_filters(args) -> dict:
    return {"bots": tuple(args.bot_id or ()), "aliases": tuple(args.alias or ()),
            "locales": tuple(args.locale or ()), "versions": tuple(args.bot_version or ())}


def run_engine(args, tz: str):
    """The Insights report's text (insights, or auto over --auto-records), or None: compute locally."""
    if args.engine == "local":
        return None
    from lexlens.analytics.sources.cloudwatch import make_logs_client
    from lexlens.analytics.sources.cloudwatch.errors import explain_error
    from lexlens.analytics.insights.engine import FieldsMissing, count_records, insights_partials
    from lexlens.analytics.timewindow import parse_window

    since, until = parse_window(args.since, args.until)
    groups, filters = list(dict.fromkeys(args.log_group)), insights_filters(args)
    client = make_logs_client(args.region, args.profile, args.endpoint_url, max_workers=args.insights_concurrency)
    if args.estimate:
        from lexlens.analytics.insights.estimate import render_estimate, stored_bytes

        try:
            return render_estimate(stored_bytes(client, groups))
        except LexlensError:
            raise
        except Exception as error:  # noqa: BLE001 - AWS errors explained in one sentence
            raise explain_error(error, client, ", ".join(groups)) from None
    try:
        from lexlens.analytics.cli.cloudwatch_options import resolve_cache_dir

        probed = count_records(client, groups, since, until, filters, args.insights_concurrency,
                               cache_dir=resolve_cache_dir(args))
        if probed[0] == 0:
            from lexlens.analytics.cli.report import NOTHING_MATCHES
            from lexlens.analytics.timewindow import format_ms

            raise LexlensError(f"no Lex V2 user turns in {', '.join(groups)} from {format_ms(since)} to "
                               f"{format_ms(until)} pass the filters (Logs Insights counted none).",
                               exit_code=NOTHING_MATCHES)
        if args.engine == "auto" and probed[0] <= args.auto_records:
            sys.stderr.write(f"--engine auto: {probed[0]:,} records in the window (at most --auto-records "
                             f"{args.auto_records:,}): pulling them to compute here"
                             f"{' (so --drill-down has nothing to add)' if args.drill_down else ''}.\n")
            return None
        result = insights_partials(client, groups, since, until, filters, args.insights_concurrency, probed=probed)
    except FieldsMissing as missing:
        if args.engine != "auto":
            raise
        sys.stderr.write(f"--engine auto: {missing} Pulling them to compute here.\n")
        return None
    except LexlensError:
        raise
    except Exception as error:  # noqa: BLE001 - AWS errors explained in one sentence
        raise explain_error(error, client, ", ".join(groups)) from None
    from lexlens.analytics.metrics.finalize import finalize
    from lexlens.analytics.report.as_pushed import render_pushed_json, render_pushed_text

    metrics = finalize(result.partials, args.top, tz)
    if args.drill_down:
        from lexlens.analytics.insights.drill import drill_down

        try:
            turns = drill_down(client, groups, since, until, metrics["busiest_sessions"], args.drill_down)
        except LexlensError:
            raise
        except Exception as error:  # noqa: BLE001
            raise explain_error(error, client, ", ".join(groups)) from None
        sys.stderr.write(f"lexlens: wrote {turns:,} turns of the {len(metrics['busiest_sessions'])} busiest sessions to "
                         f"{args.drill_down}; lexlens report {args.drill_down} shows their paths, outcomes and "
                         "transcripts.\n")
    render = render_pushed_json if args.json else render_pushed_text
    return render(metrics, result.cost)
