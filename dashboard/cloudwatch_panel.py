"""CloudWatch Logs as a dashboard source (issue 4)."""
from __future__ import annotations

from dashboard.settings import ServeSettings


def render_cloudwatch_source(settings: ServeSettings):
    return None
