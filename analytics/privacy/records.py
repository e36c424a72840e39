"""PII masking of raw Lex V2 conversation-log records and CloudWatch event lines, for
``lexlens pull --redact --out`` (the file it writes is read back by every command, so it keeps
the record's shape; only values change). The rules are those of ``analytics.privacy.redact``.

Record fields: https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-text.html
"""
from __future__ import annotations

import json

from lexlens.analytics.privacy.redact import RedactionRules, mask_identifier, mask_text, mask_value, replace_named

# Keys whose string values are structure, not end-user text: kept as they are.
STRUCTURAL_KEYS = frozenset({
    "timestamp", "messageVersion", "requestId", "inputMode", "operationName", "bot", "name",
    "state", "confirmationState", "type", "slotToElicit", "interpretationSource", "sentiment",
    "contentType", "shape", "nluConfidence", "originatingRequestId", "eventId", "id", "logStream",
    "logStreamName", "ingestionTime", "developerOverride", "missedUtterance", "sessionId",
})
ATTRIBUTE_TABLES = ("sessionAttributes", "requestAttributes")


def named_slot_values(slot, found: dict[str, str], rules: RedactionRules) -> None:
    """Every string under a named slot (value, values[], subSlots), with its token."""
    if isinstance(slot, dict):
        for item in slot.values():
            named_slot_values(item, found, rules)
    elif isinstance(slot, list):
        for item in slot:
            named_slot_values(item, found, rules)
    elif isinstance(slot, str) and slot:
        found[slot] = mask_value("slot", slot, rules)


def collect_named(node, found: dict[str, str], rules: RedactionRules) -> None:
    """raw -> token of the named slots' and attributes' values anywhere in a record."""
    if isinstance(node, list):
        for item in node:
            collect_named(item, found, rules)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "slots" and isinstance(value, dict):
            for name, slot in value.items():
                if name in rules.slots:
                    named_slot_values(slot, found, rules)
        elif key in ATTRIBUTE_TABLES and isinstance(value, dict):
            for name, text in value.items():
                if name in rules.attributes and isinstance(text, str) and text:
                    found[text] = mask_value("attribute", text, rules)
        collect_named(value, found, rules)


def mask_node(node, named: dict[str, str], rules: RedactionRules):
    """``node`` with every string of end-user text masked (structure kept)."""
    if isinstance(node, dict):
        return {key: mask_field(key, value, named, rules) for key, value in node.items()}
    if isinstance(node, list):
        return [mask_node(item, named, rules) for item in node]
    if isinstance(node, str):
        text = named.get(node) or (replace_named(node, named) if named else node)
        return mask_text(text, rules)
    return node


def mask_field(key: str, value, named: dict[str, str], rules: RedactionRules):
    if key == "sessionId" and isinstance(value, str):
        return mask_identifier(value, rules)
    if key in STRUCTURAL_KEYS:
        return value
    return mask_node(value, named, rules)


def redact_record(record: dict, rules: RedactionRules) -> dict:
    """A Lex V2 conversation-log record with its end-user text masked."""
    named: dict[str, str] = {}
    if rules.slots or rules.attributes:
        collect_named(record, named, rules)
    return mask_node(record, {raw: token for raw, token in named.items() if len(raw) >= 2}, rules)


def redact_event_line(line: bytes, rules: RedactionRules) -> bytes:
    """One CloudWatch event line (``{"eventId", "timestamp", "message"}``) with its message
    masked: as a record when it is one, as text otherwise."""
    try:
        event = json.loads(line)
    except ValueError:
        return mask_text(line.decode("utf-8", "replace"), rules).encode("utf-8")
    if not isinstance(event, dict) or not isinstance(event.get("message"), str):
        return json.dumps(mask_node(event, {}, rules), ensure_ascii=False).encode("utf-8")
    try:
        record = json.loads(event["message"])
    except ValueError:
        record = None
    if isinstance(record, dict):
        event["message"] = json.dumps(redact_record(record, rules), ensure_ascii=False)
    else:
        event["message"] = mask_text(event["message"], rules)
    return json.dumps(event, ensure_ascii=False).encode("utf-8")
