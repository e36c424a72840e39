"""The report on two cores: the same parts as ``report.build.build_report``, about half of
their cost in a forked child (VADER and the outcomes) while this process computes the rest;
``assemble_report`` makes the one Report of them. Worth it from about 20,000 turns on Linux
with two or more cores, up to 2 million (beyond, the child's memory costs more than its time
saves); otherwise ``build_report`` runs every part here."""
from __future__ import annotations

import multiprocessing
import os
import sys

from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.report.build import (PARTS, ReportOptions, assemble_report, build_report,
                                            compute_outcome_part, compute_utterance_part, compute_vader_part)
from lexlens.analytics.report.model import Report
from lexlens.analytics.schema import LogData

CHILD_PARTS = (compute_vader_part, compute_outcome_part)  # about half of the work
# when the store already knows most VADER scores, scoring is cheap: the child takes more
CHILD_PARTS_SCORED = (compute_vader_part, compute_outcome_part, compute_utterance_part)
SCORED = 0.9  # share of the distinct utterance texts whose VADER score is known
MIN_TURNS = 20_000  # below this, forking costs more than it saves
# Above this, one core: the child's own tables and the pages it un-shares grow with the data
# (5M records: the process tree's peak 6.3 GiB on two cores, 4.8 GiB on one, for 20% more time).
MAX_TURNS = 2_000_000


def worth_two_cores(data: LogData) -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) >= 2 and MIN_TURNS <= len(data.turns) <= MAX_TURNS


def mostly_scored(data: LogData, options: ReportOptions) -> bool:
    """Whether the VADER memo knows at least SCORED of the distinct utterance texts (sampled)."""
    known = getattr(options.vader_memo, "known", None)
    if not known:
        return False
    texts = data.turns["transcript"].iloc[:: max(1, len(data.turns) // 2000)]
    texts = [text for text in texts if text]
    return bool(texts) and sum(text in known for text in texts) >= SCORED * len(texts)


def build_report_on_two_cores(data: LogData, options: ReportOptions = ReportOptions()) -> Report:
    """``build_report``, with CHILD_PARTS computed in a forked child when that is faster."""
    if not worth_two_cores(data):
        return build_report(data, options)
    found = compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)  # once, for both
    child_parts = CHILD_PARTS_SCORED if mostly_scored(data, options) else CHILD_PARTS
    context = multiprocessing.get_context("fork")  # the child shares the tables, nothing is copied
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(("ok", [compute(data, found, options) for compute in child_parts]))
        except BaseException as error:  # handed to the parent, which raises it as its own
            sender.send(("error", error))

    process = context.Process(target=child, daemon=True)
    process.start()
    here = [compute(data, found, options) for compute in PARTS if compute not in child_parts]
    status, value = receiver.recv()
    process.join()
    if status == "error":
        raise value
    return assemble_report(here + value)
