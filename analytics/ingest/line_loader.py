"""Lines to tables: ``LineLoader`` reads lines through the decoder
(``analytics.ingest.records``) into a table builder, counting every outcome; ``load_unit`` is
the Python path of reading one unit of a file (``analytics.sources.linereader``), in a
process pool when there are several (``map_units``).
"""
from __future__ import annotations

import gc
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator, Optional, Union

from lexlens.analytics.ingest.records import TIME_RULE, decode_line, is_server_response, parse_iso_time_ms
from lexlens.analytics.ingest.server_responses import ServerResponseBuilder
from lexlens.analytics.schema import LoadReport, LogData, Rejection
from lexlens.analytics.sources.files import ReadUnit
from lexlens.analytics.sources.limits import ByteBudget, ReadLimits
from lexlens.analytics.sources.linereader import (HEAD_BYTES, LongLine, ReadNote, WholeDocument, read_unit,
                                                  split_block)
from lexlens.analytics.ingest.turn_table import TurnTableBuilder

REJECTED_TEXT_LIMIT = 10_000
NULS = (0, "\0")  # a line's first item: an int in bytes, a str in str


class LineLoader:
    """Feeds lines through the decoder into a table builder, counting every outcome."""

    def __init__(self) -> None:
        self.builder = TurnTableBuilder()
        self.responses = ServerResponseBuilder()
        self.report = LoadReport()
        self.turn_lines: list[int] = []  # the line each turn came from

    def tables(self) -> dict:
        """The tables of the records read so far: LogData's keyword arguments (no report)."""
        return {**self.builder.build(), "server_responses": self.responses.build()}

    def feed(self, source: str, line_no: int, line: Union[bytes, str, LongLine, ReadNote],
             order: Optional[int] = None) -> None:
        """Read one line; ``order`` (default ``line_no``) is what ``turn_lines`` records. A
        LongLine or a ReadNote of the reader is one rejection."""
        kind = type(line)
        if kind is not bytes and kind is not str:
            self.report.lines += 1
            self.reject(source, line_no, line.reason, getattr(line, "head", b""))
            return
        if line and line[0] in NULS:  # NUL padding before a record is not part of it
            line = line.lstrip(b"\0" if kind is bytes else "\0")
        if not line.strip():
            self.report.lines += 1
            self.report.blank += 1
            return
        for record, event_time, reason in decode_line(line):
            self.report.lines += 1
            if record is not None:
                time_ms = parse_iso_time_ms(record.timestamp)
                if time_ms is None:
                    time_ms = event_time
                if time_ms is None:
                    reason = ("no usable 'timestamp' and no CloudWatch event time" if record.timestamp
                              is None else f"timestamp is not {TIME_RULE} "
                              f"({str(record.timestamp)[:80]!r})")
                elif is_server_response(record):  # the bot speaking on its own: not a turn
                    self.responses.add(record, time_ms)
                    continue
                else:
                    self.builder.add(record, time_ms)
                    self.turn_lines.append(line_no if order is None else order)
                    continue
            self.reject(source, line_no, reason, line)

    def reject(self, source: str, line_no: int, reason: str, line: Union[bytes, str]) -> None:
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        self.report.rejections.append(
            Rejection(source, line_no, reason, text.rstrip("\r\n")[:REJECTED_TEXT_LIMIT]))


def map_units(units: list[ReadUnit], workers: int, limits: ReadLimits) -> Iterator[tuple[LogData, int]]:
    """Parse units in order with the Python parser, in a process pool when there is more
    than one worker; all share one budget of ``limits.load_bytes``."""
    if workers == 1:
        budget = ByteBudget(limits.load_bytes)
        yield from (load_unit(unit, limits, budget) for unit in units)
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    budget = ByteBudget.for_processes(limits.load_bytes, context)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=share_budget,
                             initargs=(budget,)) as pool:
        yield from pool.map(load_unit, units, [limits] * len(units))


_shared_budget: Optional[ByteBudget] = None  # a worker process's share of the load's budget


def share_budget(budget: ByteBudget) -> None:
    global _shared_budget
    _shared_budget = budget


def load_unit(unit: ReadUnit, limits: ReadLimits,
              budget: Optional[ByteBudget] = None) -> tuple[LogData, int]:
    """One unit's tables (turns numbered from 0) and how many physical lines it held."""
    collecting = gc.isenabled()
    gc.disable()  # millions of small containers; the cyclic GC only slows this down
    try:
        loader = LineLoader()
        name, separator, line_no = str(unit.path), unit.shape.separator, 0
        for item in read_unit(unit, limits, budget or _shared_budget):
            if isinstance(item, memoryview):
                limit = limits.line_bytes
                for line in split_block(item, separator):
                    line_no += 1
                    loader.feed(name, line_no, line if len(line) <= limit else bounded_line(line, limit))
            elif isinstance(item, WholeDocument):
                if holds_one_json_value(item.data):
                    line_no += 1
                    loader.feed(name, line_no, item.data)
                else:  # a file of lines whose first line is a lone '{': each line its own fate
                    for line in split_block(memoryview(item.data), separator):
                        line_no += 1
                        loader.feed(name, line_no, bounded_line(line, limits.line_bytes))
            elif isinstance(item, LongLine):
                line_no += 1
                loader.feed(name, line_no, item)
            else:  # a ReadNote: said after the last line read
                loader.feed(name, line_no + 1, item)
        return LogData(**loader.tables(), report=loader.report), line_no
    finally:
        if collecting:
            gc.enable()


def holds_one_json_value(data: bytes) -> bool:
    """Whether a file taken for one pretty-printed JSON document (its first line is a lone '{'
    or '[') is one: a file of lines that merely starts so (a stray or cut-off first line) is
    read as lines, so that one bad line does not reject the whole file. Parses the document
    once more; such files are rare and bounded by the per-file read limit."""
    try:
        json.loads(data)
    except RecursionError:  # one document, too deeply nested: rejected as such when decoded
        return True
    except ValueError:  # also not UTF-8
        return False
    return True


def bounded_line(line: bytes, limit: int):
    """``line``, or a LongLine when it is longer than ``limit`` (NUL padding not counted)."""
    if len(line) <= limit or len(line.lstrip(b"\0")) <= limit:
        return line
    line = line.lstrip(b"\0")
    return LongLine(len(line), line[:HEAD_BYTES], limit)
