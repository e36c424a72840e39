"""The report on two cores: the same parts as ``report.build.build_report``, shared between this
process and a forked child, each part computed once by whichever process is free first
(``PartQueue``); ``assemble_report`` makes the one Report of them. The child is forked before
the conversations are found and starts with the parts that do not read them
(``SharedConversations``) while this process finds them. Worth it from about 20,000 turns on
Linux with two or more cores; otherwise ``build_report`` runs every part here.

Some parts stay here (``parts_kept_here``): with ``--csv-dir`` tables, the activity part and the
load part, whose tables (every turn, every server response) would cost more to send than to
compute; above 2 million turns, the outcomes and activity, the two that need most memory, one
after the other, so that their peaks never add up."""
from __future__ import annotations

import mmap
import multiprocessing
import os

import numpy as np

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.conversations import Conversations, compute_conversations
from lexlens.analytics.report.build import (PARTS, Part, ReportOptions, assemble_report,
                                            compute_activity_part, compute_generative_part, compute_load_part,
                                            compute_outcome_part, compute_parts, compute_utterance_part,
                                            compute_vader_part, options_for, reads_conversations)
from lexlens.analytics.report.model import Report
from lexlens.analytics.schema import LogData
from lexlens.analytics.second_core import LARGE_TURNS, MIN_TURNS, release_freed_memory, second_core_available

# The order the parts are taken in: first those that do not read the conversations (the child
# starts on them while this process finds the conversations), then the costliest first (at a
# million records: activity 0.9 s, the outcomes 0.75, the utterances 0.45, VADER 0.15-0.45).
QUEUE_ORDER = (compute_utterance_part, compute_vader_part, compute_load_part,
               compute_activity_part, compute_outcome_part, compute_generative_part)
# Above LARGE_TURNS, kept here one after the other: side by side, their peaks added up (5M
# records: +1.6 and +0.7 GiB over the tables' 3.2 GiB).
KEPT_HERE_LARGE = (compute_activity_part, compute_outcome_part)
# With tables, kept here: their tables hold every turn or every server response.
KEPT_HERE_TABLES = (compute_activity_part, compute_load_part)


class SharedConversations:
    """The conversations found here after the fork, for the child's parts that read them: the
    child starts with the parts that do not (``build.reads_conversations``) while this process
    finds them. The keys go through an anonymous shared mapping; a pipe says when they are there
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


class PartQueue:
    """Parts both processes take from, one at a time and each once: the position of the next
    one is a counter in shared memory, moved under its lock."""

    def __init__(self, parts: tuple, context):
        self.parts = parts
        self.next = context.Value("i", 0)  # made before the fork: both processes share it

    def take(self):
        """The next part no process has taken yet, or None when none is left."""
        with self.next.get_lock():
            position = self.next.value
            self.next.value = position + 1
        return self.parts[position] if position < len(self.parts) else None


def worth_two_cores(data: LogData, wanted: tuple = PARTS) -> bool:
    return second_core_available() and len(data.turns) >= MIN_TURNS and len(wanted) > 1


def parts_kept_here(data: LogData, options: ReportOptions) -> tuple:
    """The parts this process computes itself, before it takes any from the queue."""
    if len(data.turns) > LARGE_TURNS:
        return KEPT_HERE_LARGE
    return KEPT_HERE_TABLES if options.tables else ()


def build_report_on_two_cores(data: LogData, options: ReportOptions = ReportOptions()) -> Report:
    """``build_report``, its parts shared with a forked child when that is faster."""
    return assemble_report(list(compute_parts_on_two_cores(data, options).values()))


def compute_parts_on_two_cores(data: LogData, options: ReportOptions, wanted: tuple = PARTS) -> dict[str, Part]:
    """``build.compute_parts``, the parts shared with a forked child when that is faster."""
    if not worth_two_cores(data, wanted):
        return compute_parts(data, options, wanted)
    names = {part.__name__ for part in wanted}
    kept_here = tuple(part for part in parts_kept_here(data, options) if part.__name__ in names)
    context = multiprocessing.get_context("fork")  # the child shares the tables, nothing is copied
    queue = PartQueue(tuple(part for part in QUEUE_ORDER if part not in kept_here and part.__name__ in names),
                      context)
    need_conversations = any(map(reads_conversations, kept_here + queue.parts))
    receiver, sender = context.Pipe(duplex=False)
    shared = SharedConversations(len(data.turns), options.idle_timeout_s)

    def child() -> None:
        try:
            shared.forked()
            found, parts = None, []
            while (compute := queue.take()) is not None:
                if found is None and reads_conversations(compute):
                    found = shared.take()
                parts.append((compute.__name__, compute(data, found, options_for(compute, options))))
            sender.send(("ok", parts))
        except BaseException as error:  # handed to the parent, which raises it as its own
            sender.send(("error", error))

    process = context.Process(target=child, daemon=True)
    release_freed_memory()  # pages kept free here and then reused by the child would be copied
    process.start()
    found = None
    with shared:
        if need_conversations:
            found = compute_conversations(data.turns, idle_timeout_s=options.idle_timeout_s)  # once, for both
            shared.give(found)
    here = [(compute.__name__, compute(data, found, options_for(compute, options))) for compute in kept_here]
    while (compute := queue.take()) is not None:
        here.append((compute.__name__, compute(data, found, options_for(compute, options))))
    status, value = receiver.recv()
    process.join()
    if status == "error":
        raise value
    return dict(here + value)
