"""Build the report once: every value of ``report.model.Report`` and, when asked for, its
tables, each computed one time from the same intermediate results (the conversations, the
sessions table, the outcomes, the clusters, VADER's scores).

The report is computed in parts (``PARTS``), each a function of the data, the conversations
and the options; ``assemble_report`` is the one place where the parts become a Report, so the
two-core path (``report.two_cores``) computes the same object, not a copy of its assembly.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import pandas as pd

from lexlens.analytics.metrics import (assisted_nlu, attributes, breakdowns, clusters, funnels, generative,
                                       heatmaps, intents, nlu, outcomes, paths, sentiment, sessions, slots,
                                       timeseries, totals, utterances)
from lexlens.analytics.metrics.conversations import IDLE_TIMEOUT_S, Conversations, compute_conversations
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.report import testset
from lexlens.analytics.report.model import (Breakdowns, GenerativeSummary, LoadSummary, OutcomeSummary, Report,
                                            SessionStats, TopLists, Totals, UtteranceAnalysis, VaderSentiment)
from lexlens.analytics.schema import LoadReport, LogData

REASON_DETAIL = re.compile(r"\s*\(.*\)\s*$|^event \d+: ")
REPORT_CLUSTERS = 20  # clusters listed in the JSON report (all are in the clusters table)
# The --out tables in the order they are written; the test sets (one per bot and locale) follow.
TABLE_ORDER = ("utterances", "missed_utterances", "missed_by_previous_intent", "intents", "sessions", "turns",
               "activity_over_time", "heatmap_sessions", "heatmap_intents", "path_edges", "path_flow",
               "returning_transitions", "paths", "slot_values", "session_attributes", "modality", "sentiment",
               "rejects_summary", "server_responses", "conversations", "intent_outcomes",
               "conversation_outcomes", "containment", "slot_outcomes", "funnel", "dropoff", "confidence", "near_misses", "confusion_pairs",
               "switch_matrix", "clusters", "cluster_trend", "qna_unanswered", "generative_sources",
               "agent_action_groups", "assisted_nlu_by_intent", "assisted_nlu_outcomes")


@dataclass(frozen=True)
class ReportOptions:
    """What a report depends on besides the data."""

    top: int = 10
    tz: str = "UTC"
    idle_timeout_s: float = IDLE_TIMEOUT_S
    escalation: Optional[EscalationRule] = None
    tables: bool = False  # also the --out tables
    # VADER scores known already (analytics.metrics.sentiment.ScoreMemo); None: this process's
    vader_memo: Optional[object] = field(default=None, compare=False, repr=False)


# Every part may read these: whether tables are asked for, and VADER scores known already (which
# change how fast a part is, never what it holds).
READ_BY_EVERY_PART = frozenset({"tables", "vader_memo"})


@dataclass(frozen=True)
class Part:
    """Some sections of the report (by Report field name) and some of its tables."""

    sections: dict
    tables: dict


def plain(value):
    """A JSON-ready Python value: times as ISO strings, numpy scalars as int/float, NaN as None."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records_of(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows of a table."""
    return [{key: plain(value) for key, value in row.items()} for row in table.to_dict("records")]


def counts_of(table: pd.DataFrame, key: str, count: str) -> dict:
    """{key: count} of a two-column table, in its order."""
    return {row[key]: row[count] for row in records_of(table)}


def summarise_rejections(report: LoadReport) -> pd.DataFrame:
    """[reason, lines, first_file, first_line]: rejections grouped by reason (details dropped)."""
    if not report.rejections:
        return pd.DataFrame({"reason": [], "lines": [], "first_file": [], "first_line": []})
    frame = pd.DataFrame([(REASON_DETAIL.sub("", r.reason), r.source, r.line)
                          for r in report.rejections], columns=["reason", "file", "line"])
    table = frame.groupby("reason", sort=False).agg(lines=("line", "size"), first_file=("file", "first"),
                                                    first_line=("line", "first")).reset_index()
    return table.sort_values(["lines", "reason"], ascending=[False, True]).reset_index(drop=True)


def compute_load_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """What happened to every line read."""
    rejects = summarise_rejections(data.report)
    responses = data.server_responses
    load = LoadSummary(lines=data.report.lines, records=len(data.turns) + len(responses),
                       server_responses=len(responses), blank=data.report.blank,
                       duplicates=data.report.duplicates, rejected=data.report.rejected,
                       rejected_reasons=counts_of(rejects, "reason", "lines"))
    tables = {"rejects_summary": rejects}
    if options.tables:
        tables["server_responses"] = responses.drop(columns=["response", "session_key"])
    return Part({"load": load}, tables)


def compute_activity_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """The reference dashboard's values: totals, breakdowns, sessions and the top-N lists."""
    turns, top = data.turns, options.top
    session_table = sessions.compute_sessions(turns, conversations=found)
    summary = totals.compute_totals(turns, session_table)
    intent_table, modality = intents.top_intents(turns), breakdowns.compute_modality(turns)
    all_utterances, missed = utterances.top_utterances_and_missed(turns)
    steps = paths.compute_path_steps(turns)  # once, for every figure of paths below
    all_paths = paths.top_paths(turns, None, steps=steps)
    sections = {
        "totals": Totals(**{key: summary[key] for key in ("utterances", "sessions", "conversations",
                                                          "missed_utterances", "fallback_rate")},
                         time_range={"first": summary["first_time"], "last": summary["last_time"]}),
        "breakdowns": Breakdowns(intents=counts_of(intent_table, "intent", "turns"),
                                 modality=counts_of(modality, "input_mode", "turns"),
                                 sentiment=counts_of(breakdowns.compute_lex_sentiment(turns), "sentiment", "turns")),
        "sessions": SessionStats(session_duration_s=sessions.compute_duration_stats(session_table),
                                 turns_per_session=sessions.compute_turns_per_session(session_table)),
        "top": TopLists(top_utterances=records_of(all_utterances.head(top)),
                        top_missed_utterances=records_of(missed.head(top)),
                        top_sessions=records_of(sessions.top_sessions(session_table, top)[
                            ["session_id", "bot_name", "alias_name", "locale", "start", "turns", "duration_s"]]),
                        top_paths=records_of(all_paths.head(top))),
    }
    if not options.tables:
        return Part(sections, {})
    tz = options.tz
    return Part(sections, {
        "utterances": all_utterances, "missed_utterances": missed,
        "missed_by_previous_intent": utterances.missed_by_previous_intent(turns),
        "intents": intent_table, "sessions": session_table, "turns": turns.drop(columns=["session_key"]),
        "activity_over_time": timeseries.compute_activity_over_time(turns, tz=tz),
        "heatmap_sessions": heatmaps.compute_session_heatmap(turns, tz).reset_index(),
        "heatmap_intents": heatmaps.compute_intent_heatmap(turns, tz).reset_index(),
        "path_edges": paths.compute_path_edges(paths.build_intent_graph(turns, steps=steps)),
        "path_flow": paths.compute_bot_flows(turns),
        "returning_transitions": paths.compute_returning_transitions(turns, steps=steps), "paths": all_paths,
        "slot_values": slots.compute_slot_values(data, None),
        "session_attributes": attributes.compute_attribute_values(data, None), "modality": modality,
    })


def compute_vader_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """VADER's labels where Lex gave none (scored once, for the key and the sentiment table)."""
    scores = sentiment.compute_vader_scores(data.turns, options.vader_memo)
    labels = {str(label): int(count) for label, count in scores["sentiment"].value_counts().items()}
    tables = ({"sentiment": sentiment.compute_sentiment_summary(data.turns, vader_scores=scores)}
              if options.tables else {})
    return Part({"vader": VaderSentiment(vader_sentiment=labels)}, tables)


def nest_intent_outcomes(table: pd.DataFrame) -> dict:
    """{intent: {Success, Failed, Switched, Dropped}}."""
    return {row["intent"]: {name: int(row[name]) for name in outcomes.INTENT_OUTCOMES}
            for row in table.to_dict("records")}


def nest_slot_outcomes(table: pd.DataFrame) -> dict:
    """{intent: {slot: {Success, Failed, Dropped, Retries}}}."""
    nested: dict = {}
    for row in table.to_dict("records"):
        nested.setdefault(row["intent"], {})[row["slot"]] = {
            "Success": int(row["Success"]), "Failed": int(row["Failed"]),
            "Dropped": int(row["Dropped"]), "Retries": int(row["retries"])}
    return nested


def compute_outcome_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """Intent, conversation and slot outcomes and containment, from one ``compute_outcomes``."""
    o = outcomes.compute_outcomes(data, options.idle_timeout_s, options.escalation, conversations=found)
    intent_table, runs = outcomes.compute_intent_outcomes(o), funnels.build_slot_runs(o)
    slot_table, containment = funnels.compute_slot_outcomes(runs), outcomes.compute_containment(o)
    by_outcome = outcomes.compute_conversation_outcomes(o)
    summary = OutcomeSummary(intent_outcomes=nest_intent_outcomes(intent_table), conversation_outcomes=by_outcome,
                             containment_rate=plain(containment["containment_rate"]),
                             slot_outcomes=nest_slot_outcomes(slot_table))
    if not options.tables:
        return Part({"outcomes": summary}, {})
    return Part({"outcomes": summary}, {
        "conversations": o.conversations, "intent_outcomes": intent_table,
        "conversation_outcomes": pd.DataFrame({"outcome": list(by_outcome), "conversations": list(by_outcome.values())}),
        "containment": pd.DataFrame([containment]), "slot_outcomes": slot_table,
        "funnel": funnels.compute_funnel(o, runs), "dropoff": outcomes.top_dropoffs(o, n=100),
        "switch_matrix": nlu.compute_switch_matrix(o.attempts).reset_index(),
        "assisted_nlu_outcomes": assisted_nlu.compare_outcomes_by_source(o, data.turns),
    })


def summarise_for_json(cluster_table: pd.DataFrame, trend: pd.DataFrame) -> list[dict]:
    """The largest clusters as JSON records with a {week: turns} trend."""
    weekly = {cluster: {str(week): int(n) for week, n in zip(g["week"], g["turns"])}
              for cluster, g in trend.groupby("cluster")}
    rows = records_of(cluster_table.head(REPORT_CLUSTERS))
    for row in rows:
        row["weekly"] = weekly.get(row["cluster"], {})
    return rows


def compute_utterance_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """Intent confusion, and the clusters of missed and low-confidence utterances."""
    members = clusters.cluster_utterances(data)
    cluster_table, trend = clusters.summarise_clusters(members), clusters.compute_cluster_trend(members)
    confusion = nlu.compute_confusion_pairs(data)
    analysis = UtteranceAnalysis(confusion_pairs=records_of(confusion),
                                 clusters=summarise_for_json(cluster_table, trend))
    if not options.tables:
        return Part({"utterances": analysis}, {})
    return Part({"utterances": analysis}, {
        "confidence": nlu.compute_confidence_distribution(data), "near_misses": nlu.top_near_misses(data),
        "confusion_pairs": confusion, "clusters": cluster_table, "cluster_trend": trend,
        **{testset.testset_name(bot_id, locale): table
           for (bot_id, locale), table in testset.build_testsets(members, cluster_table).items()},
    })


def compute_generative_part(data: LogData, found: Conversations, options: ReportOptions) -> Part:
    """QnAIntent answers, Bedrock agent turns and assisted NLU (``metrics.generative``)."""
    marked = generative.mark_generative_turns(data, found.keys)
    section = GenerativeSummary(generative=generative.compute_generative_summary(marked, data))
    if not options.tables:
        return Part({"generative": section}, {})
    return Part({"generative": section}, {
        "qna_unanswered": generative.top_unanswered_questions(marked),
        "generative_sources": generative.count_sources(data, marked),
        "agent_action_groups": generative.count_action_groups(data, marked),
        "assisted_nlu_by_intent": assisted_nlu.compute_bedrock_share_by_intent(data.turns),
    })


PartFunction = Callable[[LogData, Conversations, ReportOptions], Part]
PARTS: tuple[PartFunction, ...] = (compute_load_part, compute_activity_part, compute_vader_part,
                                   compute_outcome_part, compute_utterance_part, compute_generative_part)
# the parts that read the conversations (the others need only the tables)
NEED_CONVERSATIONS = (compute_activity_part, compute_outcome_part, compute_generative_part)
# The options each part reads besides READ_BY_EVERY_PART when no tables are asked for (with
# tables, a part may read any option: the time zone bins the tables over time), by part name.
# The parts that read the conversations list ``idle_timeout_s``, which finds them. A part is the
# same under any options that agree on these, which lets the store keep it (``report.kept_parts``):
# another --tz computes nothing again, another --top only the activity. ``options_for`` holds
# each part to its list.
SECTION_OPTIONS = {
    "compute_load_part": (),
    "compute_activity_part": ("top", "idle_timeout_s"),
    "compute_vader_part": (),
    "compute_outcome_part": ("idle_timeout_s", "escalation"),
    "compute_utterance_part": (),
    "compute_generative_part": ("idle_timeout_s",),
}


def reads_conversations(compute: PartFunction) -> bool:
    """Whether a part reads the conversations (by name: a part wrapped to be timed or counted
    is still the part)."""
    return compute.__name__ in {part.__name__ for part in NEED_CONVERSATIONS}


class PartOptions:
    """The options one part may read (SECTION_OPTIONS): reading any other raises, so a part
    cannot come to depend on an option its kept copy is not keyed on."""

    def __init__(self, options: ReportOptions, part_name: str):
        self._options, self._part_name = options, part_name
        self._names = READ_BY_EVERY_PART.union(SECTION_OPTIONS[part_name])

    def __getattr__(self, name: str):
        if name not in self._names:
            raise AttributeError(f"{self._part_name} reads options.{name}, which SECTION_OPTIONS does not "
                                 "list for it: add it there, so its kept copies are told apart")
        return getattr(self._options, name)


def options_for(compute: PartFunction, options: ReportOptions):
    """The options ``compute`` is given: all of them when tables are asked for (parts with
    tables are never kept), else only those it is keyed on."""
    return options if options.tables else PartOptions(options, compute.__name__)


def part_key(compute: PartFunction, options: ReportOptions) -> str:
    """What a part computed without tables depends on besides the data: its name and options."""
    return repr((compute.__name__, [(name, getattr(options, name)) for name in SECTION_OPTIONS[compute.__name__]]))


def compute_parts(data: LogData, options: ReportOptions, wanted: tuple = PARTS) -> dict[str, Part]:
    """The ``wanted`` parts by name, each computed once here (the conversations only if one
    reads them)."""
    found = (compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)
             if any(map(reads_conversations, wanted)) else None)
    return {compute.__name__: compute(data, found, options_for(compute, options)) for compute in wanted}


def assemble_report(parts: list[Part]) -> Report:
    """The Report of its parts; tables in TABLE_ORDER, then the test sets."""
    sections = {name: section for part in parts for name, section in part.sections.items()}
    tables = {name: table for part in parts for name, table in part.tables.items()}
    ordered = {name: tables.pop(name) for name in TABLE_ORDER if name in tables}
    return Report(**sections, tables={**ordered, **tables})


def build_report(data: LogData, options: ReportOptions = ReportOptions()) -> Report:
    """The report of ``data``, every value computed once (in this process)."""
    return assemble_report(list(compute_parts(data, options).values()))
