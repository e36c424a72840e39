"""A ``lexlens sample`` file rewritten with the variety real logs have and our generator lacks,
so that the benchmarks do not flatter the fast path: the same Lex fields and the same turns,
but (deterministically, per record)

- text with non-ASCII letters, curly quotes and emoji, written as ``\\u`` escapes (surrogate
  pairs for emoji), the way ``json.dumps`` and many log shippers write them;
- ``nluConfidence`` as a string of two decimals, a number, or an object ``{"score": ...}``;
  ``transcriptionConfidence`` as a number or a string;
- speech turns with ``rawInputTranscript`` and ``transcriptions`` (``resolvedContext``,
  ``resolvedSlots``), text turns with ``requestAttributes`` of several keys, one of them a
  trace id of its own per record;
- more distinct utterances: some carry a number of their own ("... 48213");
- fields no parser knows, at the top level and inside ``bot``, ``sessionState``,
  interpretations and messages (a fifth with a non-ASCII name): strings, numbers, booleans,
  nulls, arrays and nested objects;
- keys in another order in some records.

    python bench/varied.py SAMPLE.jsonl VARIED.jsonl

The record count and every figure lexlens reports stay those of SAMPLE (the added fields are
ignored, the escaped text decodes to the same words plus the added letters).
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ACCENTED = ["¿Dónde está mi pedido?", "quiero una pizza grande, por favor", "café con leche",
            "naïve question about my résumé", "Straße 5, München", "ça coûte combien ?"]
DECORATIONS = [" 🍕", " 👍", " ☕", "…", " ✓"]
CURLY = {"'": "’"}
UNKNOWN_VALUES = [None, True, 3, 2.5e-3, "opaque-token-\u00e9\u4e2d", [1, "two", {"three": None}],
                  {"nested": {"deeper": [True, False, None], "n": -12}, "list": []}]


def varied_text(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(ACCENTED)
    if roll < 0.2:
        return text + rng.choice(DECORATIONS)
    if roll < 0.3:
        return "".join(CURLY.get(ch, ch) for ch in text)
    if roll < 0.35:
        return f"{text} {rng.randrange(100_000)}"
    return text


def confidence(value, rng: random.Random):
    try:
        number = float(value["score"] if isinstance(value, dict) else value)
    except (TypeError, ValueError, KeyError):
        return value
    roll = rng.random()
    if roll < 0.4:
        return f"{number:.2f}"
    if roll < 0.8:
        return number
    return {"score": number}


def unknown_fields(rng: random.Random, count: int) -> dict:
    """``count`` fields no parser knows, a fifth of them with a non-ASCII name (escaped on output)."""
    return {(f"champ{rng.randrange(1000)}_é{i}" if rng.random() < 0.2 else f"x{rng.randrange(1000)}Unknown{i}"):
            rng.choice(UNKNOWN_VALUES) for i in range(count)}


def shuffled(record: dict, rng: random.Random) -> dict:
    keys = list(record)
    rng.shuffle(keys)
    return {key: record[key] for key in keys}


def vary(record: dict, rng: random.Random) -> dict:
    if isinstance(record.get("inputTranscript"), str) and record["inputTranscript"]:
        record["inputTranscript"] = varied_text(record["inputTranscript"], rng)
    for message in record.get("messages") or []:
        if isinstance(message.get("content"), str):
            message["content"] = varied_text(message["content"], rng)
        message.update(unknown_fields(rng, 1))
    for interpretation in record.get("interpretations") or []:
        if "nluConfidence" in interpretation:
            interpretation["nluConfidence"] = confidence(interpretation["nluConfidence"], rng)
        if rng.random() < 0.3:
            interpretation.update(unknown_fields(rng, 1))
    transcript = record.get("inputTranscript") or ""
    if record.get("inputMode") == "Speech" and transcript:
        record["rawInputTranscript"] = transcript
        record.setdefault("transcriptions", [
            {"transcription": transcript, "transcriptionConfidence": round(rng.uniform(0.6, 1), 2),
             "resolvedContext": {"intent": "FallbackIntent"}, "resolvedSlots": {}},
            {"transcription": transcript[: max(1, len(transcript) // 2)],
             "transcriptionConfidence": f"{rng.uniform(0.1, 0.6):.2f}", "resolvedContext": {}, "resolvedSlots": {}}])
    else:
        attributes = record.setdefault("requestAttributes", {})
        attributes.update({"x-amz-lex:channels:platform": rng.choice(["Connect", "Web", "Slack"]),
                           "x-amz-lex:time-zone": "Europe/Berlin", "clientVersion": f"4.{rng.randrange(20)}.1",
                           "x-trace-id": f"{rng.getrandbits(64):016x}"})
    record.setdefault("bot", {}).update(unknown_fields(rng, 1))
    if isinstance(record.get("sessionState"), dict):
        record["sessionState"].update(unknown_fields(rng, 1))
        record["sessionState"]["runtimeHints"] = {"slotHints": {}}
    record.update(unknown_fields(rng, 2))
    return shuffled(record, rng) if rng.random() < 0.3 else record


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    rng = random.Random(16)
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="ascii") as out:
        for line in lines:
            out.write(json.dumps(vary(json.loads(line), rng), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
