"""The report on two cores: the same parts as ``report.build.build_report``, about half of
their cost in a forked child (VADER and the outcomes, by default) while this process computes
the rest; ``assemble_report`` makes the one Report of them. The child is forked before the
conversations are found and starts with its parts that do not read them
(``SharedConversations``). Worth it from about 20,000 turns on Linux with two or more cores;
otherwise ``build_report`` runs every part here. Above 2 million turns the child takes lighter
parts (``child_parts_for``), so that the memory-hungry ones never run side by side."""
from __future__ import annotations

import mmap
import multiprocessing
import os

import numpy as np

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.conversations import Conversations, compute_conversations
from lexlens.analytics.metrics.sentiment import vader_pending
from lexlens.analytics.report.build import (PARTS, ReportOptions, assemble_report, build_report,
                                            compute_activity_part, compute_generative_part, compute_outcome_part,
                                            compute_utterance_part, compute_vader_part)
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
# the parts that read the conversations (the others need only the tables)
NEED_CONVERSATIONS = (compute_activity_part, compute_outcome_part, compute_generative_part)


class SharedConversations:
    """The conversations found here after the fork, for the child's parts that read them: the
    child starts with the parts that do not (NEED_CONVERSATIONS) while this process finds
    them. The keys go through an anonymous shared mapping; a pipe says when they are there
    (closed without a word: they could not be found, and the child's part fails)."""

    def __init__(self, turns: int, idle_timeout_s: float):
        self.memory = mmap.mmap(-1, max(1, turns) * 8)  # MAP_SHARED: the child sees what is written
        self.keys = np.frombuffer(self.memory, dtype=np.int64, count=turns)
        self.idle_timeout_s = idle_timeout_s
        self.reader, self.writer = os.pipe()

    def forked(self) -> None:
        """In the child: only the parent writes."""
        os.close(self.writer)

    def take(self) -> Conversations:
        """In the child: the conversations, once the parent has found them."""
        if os.read(self.reader, 1) != b"1":
            raise LexlensError("the report's conversations could not be found.")
        return Conversations(self.idle_timeout_s, self.keys)

    def give(self, found: Conversations) -> None:
        self.keys[:] = found.keys
        os.write(self.writer, b"1")

    def __enter__(self) -> "SharedConversations":
        os.close(self.reader)  # in the parent, once the child is forked
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.writer)


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
    child_parts = child_parts_for(data, options)
    context = multiprocessing.get_context("fork")  # the child shares the tables, nothing is copied
    receiver, sender = context.Pipe(duplex=False)
    shared = SharedConversations(len(data.turns), options.idle_timeout_s)

    def child() -> None:
        try:
            shared.forked()
            found = None
            parts = []
            for compute in sorted(child_parts, key=lambda part: part in NEED_CONVERSATIONS):
                if found is None and compute in NEED_CONVERSATIONS:
                    found = shared.take()
                parts.append(compute(data, found, options))
            sender.send(("ok", parts))
        except BaseException as error:  # handed to the parent, which raises it as its own
            sender.send(("error", error))

    process = context.Process(target=child, daemon=True)
    release_freed_memory()  # pages kept free here and then reused by the child would be copied
    process.start()
    with shared:
        found = compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)  # once, for both
        shared.give(found)
    here = [compute(data, found, options) for compute in PARTS if compute not in child_parts]
    status, value = receiver.recv()
    process.join()
    if status == "error":
        raise value
    return assemble_report(here + value)
