"""The report as one JSON object (``lexlens report --json``): raw text stays raw; control,
bidirectional and invisible characters are written as ``\\uXXXX`` escapes."""
from __future__ import annotations

from lexlens.analytics.report.model import Report
from lexlens.analytics.text.visible import json_text


def render_json(report: Report) -> str:
    """One line of JSON, keys in the report's order."""
    return json_text(report.values(), default=str) + "\n"
