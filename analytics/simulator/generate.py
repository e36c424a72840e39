"""A seeded generator of realistic Amazon Lex V2 conversation-log records.

Traffic is modelled on the BankerBot of the AWS reference (aws-samples/aws-lex-v2-bot-analytics)
plus a smaller PizzaBot: welcome, check balance with slot retries, transfers with confirmation,
follow-ups, List and Composite slots, fallbacks, speech/DTMF, PutSession, intent switches,
drop-offs, escalation and returning conversations. Records have the field shapes of real Lex
text logs (https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html). The traffic
lives in ``sample_traffic`` (bots, times, record building), ``sample_dialogs`` (flows) and
``sample_vocabulary`` (what users say, what bots answer).

The bundled demo dataset is regenerated with (issue 2, "Sample logs"):

    lexlens sample --sessions 2000 --days 30 --seed 7 --end 2026-11-20T00:00:00Z sample_logs/demo.jsonl.gz
"""
from __future__ import annotations

import gzip
import heapq
from datetime import datetime, timezone
from pathlib import Path
from random import Random
from typing import BinaryIO, Iterable, Iterator

import msgspec

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.simulator.dialogs import run_session
from lexlens.analytics.simulator.generative import HELPDESK, run_helpdesk_session
from lexlens.analytics.simulator.traffic import Session, pick_deployment, sample_start_ms

SHAPES = ("jsonl", "cloudwatch", "export", "filter-log-events")
_encode = msgspec.json.Encoder().encode


def generate_records(sessions: int, days: int = 30, seed: int = 7,
                     end: datetime | None = None, *, generative: bool = False) -> Iterator[dict]:
    """Yield Lex V2 records for ``sessions`` sessions in ``[end - days, end)``, in time order.

    Deterministic for a given seed and end; ``end`` defaults to the current hour (UTC).
    ``generative``: a fifth of the sessions go to HelpDeskBot (``simulator.generative``:
    QnAIntent answers, a Bedrock agent, assisted NLU, fulfillment updates); without it the
    traffic is exactly what it always was.
    """
    if sessions < 1 or days < 1:
        raise LexlensError("--sessions and --days must be at least 1.")
    end_ms = _to_ms(end if end is not None else _current_hour())
    begin_ms = end_ms - days * 86_400_000
    rng = Random(seed)
    starts = sorted(_plan_starts(rng, sessions, begin_ms, end_ms, generative))
    return _merge_in_time_order(rng, starts, end_ms)


def _plan_starts(rng: Random, sessions: int, begin_ms: int, end_ms: int, generative: bool):
    for index in range(sessions):
        deployment = HELPDESK if generative and rng.random() < HELPDESK.weight else pick_deployment(rng)
        zone = rng.choice(deployment.zones)
        yield sample_start_ms(rng, deployment, zone, begin_ms, end_ms), index, deployment


def _merge_in_time_order(rng: Random, starts, end_ms: int) -> Iterator[dict]:
    # Sessions overlap in time: keep the not-yet-due turns of started sessions in a heap and
    # release those earlier than the next session's start (no later session can precede them).
    pending: list[tuple[int, int, dict]] = []
    sequence = 0
    for start_ms, _, deployment in starts:
        while pending and pending[0][0] < start_ms:
            yield heapq.heappop(pending)[2]
        session = Session(rng, deployment, start_ms)
        (run_helpdesk_session if deployment is HELPDESK else run_session)(session)
        for time_ms, record in session.records:
            if time_ms < end_ms:  # a session running past the range end is cut there
                heapq.heappush(pending, (time_ms, sequence, record))
                sequence += 1
    while pending:
        yield heapq.heappop(pending)[2]


def _current_hour() -> datetime:
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def _to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def parse_end(text: str) -> datetime:
    """An ISO-8601 instant (``Z`` allowed; naive means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise LexlensError(f"--end {text!r} is not an ISO-8601 time such as "
                           "2026-11-20T00:00:00Z.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- writing -------------------------------------------------------------------------------

def write_sample(path, sessions: int, shape: str = "jsonl", days: int = 30, seed: int = 7,
                 end: datetime | None = None, *, generative: bool = False) -> int:
    """Write generated records to ``path`` in one of SHAPES (gzip when it ends in .gz).

    Returns the number of records written.
    """
    if shape not in SHAPES:
        raise LexlensError(f"unknown shape {shape!r}: choose one of {', '.join(SHAPES)}.")
    records = generate_records(sessions, days=days, seed=seed, end=end, generative=generative)
    path = Path(path)
    try:
        with _open_output(path) as out:
            return _WRITERS[shape](records, out)
    except OSError as error:
        raise LexlensError(f"cannot write {path}: {error.strerror or error}.") from None


def _open_output(path: Path) -> BinaryIO:
    if path.suffix != ".gz":
        return open(path, "wb", buffering=1 << 20)
    # mtime=0 and no file name in the header: the same seed gives byte-identical files.
    raw = open(path, "wb")
    return _ClosingGzip(raw)


class _ClosingGzip(gzip.GzipFile):
    """A GzipFile that also closes the file object it was handed."""

    def __init__(self, raw: BinaryIO):
        super().__init__(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _record_ms(record: dict) -> int:
    moment = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
    return int(moment.timestamp() * 1000)


def _write_jsonl(records: Iterable[dict], out: BinaryIO) -> int:
    count = 0
    for count, record in enumerate(records, 1):
        out.write(_encode(record) + b"\n")
    return count


def _write_export(records: Iterable[dict], out: BinaryIO) -> int:
    # CloudWatch export to S3: "<ISO timestamp> <message>" per line.
    count = 0
    for count, record in enumerate(records, 1):
        out.write(record["timestamp"].encode() + b" " + _encode(record) + b"\n")
    return count


def _cloudwatch_events(records: Iterable[dict]) -> Iterator[dict]:
    """CloudWatch Logs events wrapping each record, as FilterLogEvents returns them."""
    for index, record in enumerate(records):
        bot = record["bot"]
        time_ms = _record_ms(record)
        yield {
            "logStreamName": f"aws/lex/{bot['id']}/{bot['aliasId']}/{bot['localeId']}",
            "timestamp": time_ms,
            "message": _encode(record).decode(),
            "ingestionTime": time_ms + 150 + (index * 7919) % 900,
            "eventId": f"{time_ms:017d}{index:039d}",
        }


def _write_cloudwatch(records: Iterable[dict], out: BinaryIO) -> int:
    count = 0
    for count, event in enumerate(_cloudwatch_events(records), 1):
        line = {key: event[key] for key in
                ("timestamp", "message", "logStreamName", "ingestionTime", "eventId")}
        out.write(_encode(line) + b"\n")
    return count


def _write_filter_log_events(records: Iterable[dict], out: BinaryIO) -> int:
    # Streamed by hand in the layout of the AWS CLI's JSON output (indent=4), so a large
    # sample never sits in memory as one object.
    streams: dict[str, None] = {}
    out.write(b'{\n    "events": [')
    count = 0
    for count, event in enumerate(_cloudwatch_events(records), 1):
        streams[event["logStreamName"]] = None
        fields = ",\n".join(f"            {_json(key)}: {_json(value)}"
                            for key, value in event.items())
        separator = "," if count > 1 else ""
        out.write(f"{separator}\n        {{\n{fields}\n        }}".encode())
    out.write(b"\n    ],\n" if count else b"],\n")
    searched = ",\n".join(f'        {{\n            "logStreamName": {_json(name)},\n'
                          f'            "searchedCompletely": true\n        }}'
                          for name in streams)
    out.write(f'    "searchedLogStreams": [\n{searched}\n    ]\n}}\n'.encode() if streams
              else b'    "searchedLogStreams": []\n}\n')
    return count


def _json(value) -> str:
    return _encode(value).decode()


_WRITERS = {
    "jsonl": _write_jsonl,
    "cloudwatch": _write_cloudwatch,
    "export": _write_export,
    "filter-log-events": _write_filter_log_events,
}

