"""The pages when the CloudWatch panel's engine is Logs Insights (issue 17): Overview, Intents,
Missed utterances and Conversations draw the pushed-down metrics (``metrics.finalize``) of the run;
the pages that need raw turns (paths, outcomes, funnels, slots, NLU, clusters...) say so and offer
to pull the window; a session picked in a table opens its transcript from a drill-down pull
(``insights_sessions``). Every chart and table carries the engine's caption (``engine_label``)."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import streamlit as st

from lexlens.dashboard import charts
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.engine_label import show_computed_by
from lexlens.dashboard.failures import run_page
from lexlens.dashboard.formats import format_duration, format_percent
from lexlens.dashboard.insights_sessions import render_busiest_sessions, render_top_utterances
from lexlens.dashboard.sentiment_chart import sentiment_figure

RAW_TURN_PAGES = "paths, outcomes, funnels, transcripts, slots and the other per-turn analyses"


def run_insights_page(page) -> None:
    """Draw ``page`` from the Insights view (failures: one sentence, as ``failures.run_page``)."""
    draw = DRAWERS.get(page.url_path or "overview", needs_raw_turns)
    run_page(SimpleNamespace(url_path=page.url_path, run=lambda: draw(st.session_state["view"], page.title)))


def tiles(values: list[tuple[str, str]]) -> None:
    """Metric tiles in rows of four, then the engine's caption."""
    for start in range(0, len(values), 4):
        for column, (label, value) in zip(st.columns(4), values[start:start + 4]):
            column.metric(label, value, border=True)
    show_computed_by()


def counts_frame(counts: dict, label: str, value: str) -> pd.DataFrame:
    return pd.DataFrame({label: pd.Series(list(counts), dtype=object), value: list(counts.values())})


def hourly(metrics: dict, tz: str) -> pd.DataFrame:
    """The per-hour activity with every hour of the run's span (0 where nothing happened), in ``tz``."""
    frame = pd.DataFrame(metrics["activity"], columns=["hour", "records", "utterances", "missed_utterances",
                                                       "sessions"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    if len(frame):
        hours = pd.date_range(frame["hour"].min(), frame["hour"].max(), freq="h")
        frame = frame.set_index("hour").reindex(hours, fill_value=0).rename_axis("hour").reset_index()
    frame["hour"] = frame["hour"].dt.tz_convert(tz)
    frame["fallback_rate"] = (frame["missed_utterances"] / frame["utterances"].where(frame["utterances"] > 0)).fillna(0)
    return frame


def weekday_hours(heatmap: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict(heatmap, orient="index", columns=range(24))


def overview(view, title: str) -> None:
    metrics, tz = view.metrics, view.tz
    st.title(title)
    duration, turns = metrics["session_duration_s"], metrics["turns_per_session"]
    tiles([("Records", f"{metrics['records']:,}"), ("Sessions", f"{metrics['sessions']:,}"),
           ("Utterances", f"{metrics['utterances']:,}"), ("Missed utterances", f"{metrics['missed_utterances']:,}"),
           ("Fallback rate", format_percent(metrics["fallback_rate"], 2)),
           ("Median session duration", format_duration(duration["median"])),
           ("Mean turns per session", f"{turns['mean']:.2f}")])
    activity = hourly(metrics, tz)
    charts.show_chart(charts.time_lines(activity, "hour", {"utterances": "Messages (utterances)",
                                                           "sessions": "Active sessions"},
                                        "Messages and sessions per hour", f"Time ({tz})", "Count per hour"),
                      "insights_activity")
    left, right = st.columns(2)
    with left:
        charts.show_chart(charts.bars(counts_frame(metrics["modality"], "input_mode", "turns"), "input_mode", "turns",
                                      "Modality: turns per input mode", "Input mode", "Turns", horizontal=False),
                          "insights_modality")
    with right:
        sentiment = counts_frame(metrics["sentiment"], "sentiment", "turns").assign(source="Lex")
        sentiment["share"] = sentiment["turns"] / max(int(sentiment["turns"].sum()), 1)
        if sentiment.empty:
            st.info("No Lex sentiment in these records (sentiment analysis is off for the bot); VADER "
                    "sentiment needs the pulled records.")
        else:
            charts.show_chart(sentiment_figure(sentiment), "insights_sentiment")
    charts.show_chart(charts.heatmap(weekday_hours(metrics["heatmap_sessions"]), "Sessions by weekday and hour",
                                     f"Hour ({tz})", "Weekday", "Sessions"), "insights_heatmap_sessions")
    st.caption("Unusual hours, conversations, containment and VADER sentiment need the records: "
               "pull the window (engine Local) to see them.")
    explain("Record", "Session", "Fallback rate", "Session duration", "Mean turns", "Utterance", "Modality",
            "Computed by")


def intents(view, title: str) -> None:
    metrics, tz = view.metrics, view.tz
    st.title(title)
    charts.show_chart(charts.bars(counts_frame(metrics["intents"], "intent", "turns").head(30), "intent", "turns",
                                  "Turns per intent", "Intent", "Turns"), "insights_intents")
    left, right = st.columns(2)
    with left:
        charts.show_chart(charts.bars(counts_frame(metrics["first_intents"], "intent", "sessions").head(20),
                                      "intent", "sessions", "First intent of each session", "Intent", "Sessions"),
                          "insights_first_intents")
    with right:
        charts.show_chart(charts.bars(counts_frame(metrics["last_intents"], "intent", "sessions").head(20),
                                      "intent", "sessions", "Last intent of each session", "Intent", "Sessions"),
                          "insights_last_intents")
    heat = pd.DataFrame.from_dict(metrics["heatmap_intents"], orient="index", columns=range(24)).head(20)
    charts.show_chart(charts.heatmap(heat, "Turns per intent and hour", f"Hour ({tz})", "Intent", "Turns"),
                      "insights_heatmap_intents")
    needs_raw_turns_note("Intent paths and switches")
    explain("Computed by")


def missed(view, title: str) -> None:
    metrics, tz = view.metrics, view.tz
    st.title(title)
    tiles([("Missed utterances", f"{metrics['missed_utterances']:,}"), ("Utterances", f"{metrics['utterances']:,}"),
           ("Fallback rate", format_percent(metrics["fallback_rate"], 2))])
    activity = hourly(metrics, tz)
    left, right = st.columns(2)
    with left:
        charts.show_chart(charts.time_lines(activity, "hour", {"missed_utterances": "Missed utterances"},
                                            "Missed utterances per hour", f"Time ({tz})", "Missed utterances per hour"),
                          "insights_missed_trend")
    with right:
        charts.show_chart(charts.time_lines(activity, "hour", {"fallback_rate": "Fallback rate"},
                                            "Fallback rate per hour", f"Time ({tz})",
                                            "Missed utterances / utterances (%)", percent=True),
                          "insights_fallback_rate")
    st.subheader("Top missed utterances")
    render_top_utterances(view, missed_only=True)
    st.subheader("Top utterances")
    render_top_utterances(view, missed_only=False)
    explain("Missed utterance", "Fallback rate", "Top utterances", "Obfuscated utterances", "Computed by")


def conversations(view, title: str) -> None:
    metrics = view.metrics
    st.title(title)
    duration, turns = metrics["session_duration_s"], metrics["turns_per_session"]
    tiles([("Sessions", f"{metrics['sessions']:,}"), ("Mean session duration", format_duration(duration["mean"])),
           ("Median session duration", format_duration(duration["median"])),
           ("p90 session duration", format_duration(duration["p90"])),
           ("Mean turns per session", f"{turns['mean']:.2f}"), ("Median turns per session", f"{turns['median']:g}"),
           ("Most turns in a session", f"{turns['max']:,}")])
    st.subheader("Busiest sessions")
    render_busiest_sessions(view)
    needs_raw_turns_note("Conversations (sessions split by inactivity), duration histograms")
    explain("Session", "Session duration", "Mean turns", "Computed by")


def needs_raw_turns_note(what: str) -> None:
    st.info(f"{what} need the raw turns, which Logs Insights does not return: pull the window "
            "(engine Local in the sidebar) to see them.")


def needs_raw_turns(view, title: str) -> None:
    """A page of per-turn analyses: say it works on pulled records, and offer the pull."""
    from lexlens.dashboard.cloudwatch_panel import pull_instead

    st.title(title)
    st.info(f"This page works on pulled records ({RAW_TURN_PAGES}); the Logs Insights engine computed only "
            "aggregates. Pull the window to compute everything here, or open one session's transcript from "
            "the busiest sessions (Conversations) or a top missed utterance (Missed utterances): its turns "
            "are pulled on their own.")
    st.button("Pull this window (engine Local)", key="insights_pull_instead", on_click=pull_instead,
              type="primary")
    show_computed_by()


DRAWERS = {"overview": overview, "intents": intents, "missed": missed, "conversations": conversations}
