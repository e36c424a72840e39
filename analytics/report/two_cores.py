"""The report on two cores: the same parts as ``report.build.build_report``, about half of
their cost in a forked child (VADER and the outcomes, by default) while this process computes the rest;
``assemble_report`` makes the one Report of them. Worth it from about 20,000 turns on Linux
with two or more cores; otherwise ``build_report`` runs every part here. Above 2 million turns
the child takes lighter parts (``child_parts_for``), so that the memory-hungry ones never run
side by side."""
from __future__ import annotations

import multiprocessing

from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.metrics.sentiment import vader_pending
from lexlens.analytics.report.build import (PARTS, ReportOptions, assemble_report, build_report,
                                            compute_generative_part, compute_outcome_part, compute_utterance_part,
                                            compute_vader_part)
from lexlens.analytics.report.model import Report
from lexlens.analytics.schema import LogData
from lexlens.analytics.second_core import LARGE_TURNS, MIN_TURNS, release_freed_memory, second_core_available

CHILD_PARTS = (compute_vader_part, compute_outcome_part)  # about half of the work
# when the store already knows most VADER scores, scoring is cheap: the child takes more
CHILD_PARTS_SCORED = (compute_vader_part, compute_outcome_part, compute_utterance_part)
SCORED = 0.9  # share of the distinct utterance texts whose VADER score is known
# Above LARGE_TURNS, the child takes the parts that need little memory of their own, and the two
# that need most (the outcomes, then activity) run one after the other here: side by side, their
# peaks added up (5M records: +1.6 and +0.7 GiB over the tables' 3.2 GiB).
CHILD_PARTS_LARGE = (compute_vader_part, compute_utterance_part, compute_generative_part)


def worth_two_cores(data: LogData) -> bool:
    return second_core_available() and len(data.turns) >= MIN_TURNS


def mostly_scored(data: LogData, options: ReportOptions) -> bool:
    """Whether the VADER memo knows at least SCORED of the texts VADER would score (those of
    utterances without a Lex sentiment, sampled; none at all counts as known)."""
    known = getattr(options.vader_memo, "known", None)
    if not known:
        return False
    sample = vader_pending(data.turns.iloc[:: max(1, len(data.turns) // 2000)])
    texts = [text for text in sample["transcript"] if text]
    return sum(text in known for text in texts) >= SCORED * len(texts)


def child_parts_for(data: LogData, options: ReportOptions) -> tuple:
    """The parts the forked child computes: about half of the work, or above LARGE_TURNS the
    parts that hold little memory while they run."""
    if len(data.turns) > LARGE_TURNS:
        return CHILD_PARTS_LARGE
    return CHILD_PARTS_SCORED if mostly_scored(data, options) else CHILD_PARTS


def build_report_on_two_cores(data: LogData, options: ReportOptions = ReportOptions()) -> Report:
    """``build_report``, with CHILD_PARTS computed in a forked child when that is faster."""
    if not worth_two_cores(data):
        return build_report(data, options)
    found = compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)  # once, for both
    child_parts = child_parts_for(data, options)
    context = multiprocessing.get_context("fork")  # the child shares the tables, nothing is copied
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(("ok", [compute(data, found, options) for compute in child_parts]))
        except BaseException as error:  # handed to the parent, which raises it as its own
            sender.send(("error", error))

    process = context.Process(target=child, daemon=True)
    release_freed_memory()  # pages kept free here and then reused by the child would be copied
    process.start()
    here = [compute(data, found, options) for compute in PARTS if compute not in child_parts]
    status, value = receiver.recv()
    process.join()
    if status == "error":
        raise value
    return assemble_report(here + value)
