"""``lexlens check``: threshold rules over a window of logs; the exit code says whether one was breached."""
from __future__ import annotations

import sys

from lexlens.analytics.cli.option_types import given_path, given_source
from lexlens.analytics.cli.options import (add_filter_arguments, add_outcome_arguments, escalation_from_args,
                                           filters_from_args)
from lexlens.analytics.errors import LexlensError

DESCRIPTION = """Check threshold rules against Lex V2 conversation logs, for cron, CI and schedulers.
A rule describes trouble: METRIC[ARGUMENT] OP NUMBER, e.g. 'fallback_rate > 0.10',
'utterances < 100', 'intent_success_rate[CheckBalance] < 0.7' (OP: < <= > >= == !=; a rate is
0 to 1, or a percentage such as 10%%). Exit 0 when every rule held, 1 when at least one was
breached, 2 for a usage or source error. 'lexlens check --list-metrics' lists the metrics."""
BREACHED, HELD, USAGE = 1, 0, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help="check threshold rules; exit 1 when one is breached",
                                   description=DESCRIPTION)
    parser.add_argument("sources", nargs="*", type=given_source, metavar="SOURCE", help="log files or folders")
    parser.add_argument("--rule", action="append", default=[], metavar="EXPR",
                        help="a rule such as 'fallback_rate > 0.10' (repeatable)")
    parser.add_argument("--rules", type=given_path, metavar="FILE",
                        help="a TOML file whose [rules] table maps names to rules")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--list-metrics", action="store_true", help="list the metrics a rule may name, and exit")
    parser.add_argument("--anomalies", action="store_true",
                        help="also breach when the latest complete hour's traffic or fallback rate is unusual for "
                             "that hour of the week (needs 3 earlier weeks in the window)")
    add_filter_arguments(parser)
    add_outcome_arguments(parser)
    from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments

    add_cloudwatch_arguments(parser, window=False)  # the filters' --since and --until bound the pull
    from lexlens.analytics.cli.store_options import add_store_arguments

    add_store_arguments(parser)
    parser.set_defaults(run=run)


def rules_from_args(args) -> list:
    """The --rule expressions and the --rules file's rules; a usage error when there are none."""
    from lexlens.analytics.monitor.rules import load_rules_file, parse_rule

    rules = [parse_rule(text) for text in args.rule]
    if args.rules:
        rules += load_rules_file(args.rules)
    if not rules and not args.anomalies:
        raise LexlensError("no rule to check: give --rule EXPR, --rules FILE or --anomalies.", exit_code=USAGE)
    return rules


def check_containment(rules: list, escalation) -> None:
    """containment_rate is only defined with an escalation rule: say so before any load."""
    if escalation is None and any(rule.metric.name == "containment_rate" for rule in rules):
        raise LexlensError("containment_rate needs an escalation rule: give --escalation-intent, "
                           "--escalation-attribute or --escalation-action.", exit_code=USAGE)


def load_window(args, filters):
    """The filtered data; any load problem is a source error (exit 2). An empty window is
    data, not an error: 'utterances < 100' must breach when traffic stopped."""
    from lexlens.analytics.cli.report import load_sources
    from lexlens.analytics.filters import apply_filters

    try:
        data = load_sources(args, progress=False)
    except LexlensError as error:
        raise LexlensError(str(error), exit_code=USAGE) from None
    if args.sources and not args.log_group and data.report.accepted == 0:
        from lexlens.analytics.cli.report import empty_input_sentence

        raise LexlensError(empty_input_sentence(data), exit_code=USAGE)
    return apply_filters(data, filters)


def run(args) -> int:
    if args.list_metrics:
        from lexlens.analytics.monitor.catalogue import describe_metrics

        sys.stdout.write(describe_metrics())
        return 0
    from lexlens.analytics.monitor.rules import evaluate_rule
    from lexlens.analytics.monitor.values import compute_rule_values
    from lexlens.analytics.report.build import ReportOptions

    rules = rules_from_args(args)
    escalation = escalation_from_args(args)
    check_containment(rules, escalation)
    filters = filters_from_args(args)
    data = load_window(args, filters)
    values = compute_rule_values(data, ReportOptions(idle_timeout_s=args.idle_timeout, escalation=escalation))
    verdicts = [evaluate_rule(rule, values) for rule in rules]
    latest = latest_hour(args, filters, data) if args.anomalies else None
    from lexlens.analytics.monitor.render import render_verdicts_json, render_verdicts_text

    render = render_verdicts_json if args.json else render_verdicts_text
    sys.stdout.write(render(verdicts, values, filters, latest))
    unusual = latest is not None and bool(latest["anomalous"].any())
    return BREACHED if unusual or any(verdict.breached for verdict in verdicts) else HELD


def coverage_end(args, filters, data, now):
    """How far the logs are known to reach: --until (at most now); else now for a log group
    (the pull asked CloudWatch up to now) and the last turn for files, since nothing says what
    happened after it."""
    if filters.until is not None:
        return min(filters.until, now)
    if getattr(args, "log_group", None) or data.turns.empty:
        return now
    return min(data.turns["time"].max(), now)


def latest_hour(args, filters, data):
    """The anomaly rows (traffic, fallback rate) of the latest complete hour in the window."""
    import pandas as pd

    from lexlens.analytics.metrics.anomalies import compute_anomalies, latest_complete_hour

    end = coverage_end(args, filters, data, pd.Timestamp.now(tz="UTC"))
    return latest_complete_hour(compute_anomalies(data.turns, until=end), end)
