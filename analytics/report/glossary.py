"""Every metric's definition, gathered from the modules that compute it (each keeps its own
``DEFINITIONS`` next to its code), in the order a reader meets them. The dashboard's "How is this
computed?" expanders, the README's "Metric definitions" section (checked by tests/test_meta.py)
and ``lexlens report --help`` all read this one dictionary.

They follow Amazon Lex's analytics key definitions:
https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html
"""
from __future__ import annotations

import textwrap

from lexlens.analytics.ingest import loading
from lexlens.analytics.metrics import (anomalies, assisted_nlu, attributes, breakdowns, clusters, compare, conversations, funnels,
                                       generative, heatmaps, intents, nlu, outcomes, paths, sentiment, sessions, slots,
                                       timeseries, totals, utterances)
from lexlens.analytics.report import testset

LEX_KEY_DEFINITIONS = "https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html"

CONVENTIONS = {
    "Previous period": ("Each KPI's change compares the selected date range with the period "
                        "of the same length just before it, under the same other filters. "
                        "With the whole range selected there is no earlier period, so no change "
                        "is shown."),
    "Selective conversation log capture": (
        "An alias with it on logs only the parts of conversations you chose "
        "(https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-selective-logging.html), so every "
        "figure counts the records that were logged; sessions, paths and outcomes of a partly "
        "logged conversation are those of its logged turns."),
    "Rates and shares": "Shown as percentages; count axes start at zero with whole-number ticks.",
    "Times": "Times are stored in UTC and shown in the time zone picked in the sidebar (`--tz` in the CLI).",
    "Computed by": ("Under each chart and table of the dashboard: the local engine on N records (read from "
                    "files, pulled from CloudWatch Logs, or one session pulled by a Logs Insights drill-down), "
                    "or CloudWatch Logs Insights (server-side) with the queries, bytes scanned and seconds its "
                    "run took (`report --engine`). Both engines finish the same partial aggregates with one "
                    "function, so they give the same values for the same records."),
}

SOURCES = (loading, totals, sessions, conversations, intents, timeseries, anomalies, breakdowns, sentiment, heatmaps, utterances,
           paths, slots, attributes, outcomes, funnels, nlu, clusters, testset, generative,
           assisted_nlu, compare)


def gather(*dictionaries: dict[str, str]) -> dict[str, str]:
    """One dictionary from several; a name defined twice is a bug (two texts for one idea)."""
    gathered: dict[str, str] = {}
    for dictionary in dictionaries:
        twice = gathered.keys() & dictionary.keys()
        if twice:
            raise ValueError(f"defined twice: {sorted(twice)}")
        gathered.update(dictionary)
    return gathered


GLOSSARY = gather(*(module.DEFINITIONS for module in SOURCES), CONVENTIONS)

# The definitions `lexlens report --help` repeats: the ones its headline numbers rest on.
HEADLINE = ("Record", "Utterance", "Missed utterance", "Fallback rate", "Session", "Conversation",
            "Containment rate")


def render_markdown() -> str:
    """The README's list: one ``- **Name**: text`` item per definition."""
    return "".join(f"- **{name}**: {text}\n" for name, text in GLOSSARY.items())


def render_help(names=HEADLINE, width: int = 96) -> str:
    """Plain-text definitions for an epilog of ``--help`` (printed with argparse's
    RawDescriptionHelpFormatter, which keeps these line breaks)."""
    items = [textwrap.fill(f"{name}: {GLOSSARY[name].replace('`', '')}", width, initial_indent="  ",
                           subsequent_indent="    ") for name in names]
    return "\n".join(["definitions:", *items, "  Every definition: the README's Metric definitions, after Lex's",
                      f"  {LEX_KEY_DEFINITIONS}"])


def render_json_keys() -> str:
    """The README's table of ``lexlens report --json`` keys, in order, each with its definition."""
    from lexlens.analytics.report.model import report_keys

    rows = [f"| `{key}` | {meta['unit']} | {meta['topic']} |\n" for key, meta in report_keys().items()]
    return "| key | value | definition |\n|---|---|---|\n" + "".join(rows)
