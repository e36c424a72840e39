"""Answers of Logs Insights queries kept on disk, by (query, log groups, window, account scope), for
windows that ended longer ago than the ingestion lag (the pull's ``OPEN_GRACE_MS``): running a
report again on an old window reads its rows here instead of scanning (and paying) again.

The rows hold transcripts as users typed them, like the pull's cache holds raw events: they live
under ``<cache-dir>/insights`` and ``lexlens cache clear`` deletes them.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

from lexlens.analytics.sources.cloudwatch.cache import cache_write_error
from lexlens.analytics.sources.cloudwatch.pull import OPEN_GRACE_MS

FOLDER = "insights"


def client_scope(client) -> list[str]:
    """Region, endpoint and a hash of the access key id: answers never cross accounts or regions."""
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    key_id = getattr(credentials, "access_key", "") or ""
    return [client.meta.region_name or "", client.meta.endpoint_url or "",
            hashlib.sha256(key_id.encode()).hexdigest()[:16]]


class AnswerCache:
    """``get`` and ``put`` the rows of one query over one batch of log groups."""

    def __init__(self, cache_dir: Path, client):
        self.folder, self.scope = Path(cache_dir) / FOLDER, client_scope(client)

    def path(self, groups, text: str) -> Path:
        key = json.dumps([self.scope, sorted(groups), text])
        return self.folder / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, groups, text: str) -> list[dict] | None:
        """The cached rows, or None (absent, unreadable or damaged: the query runs again)."""
        try:
            rows = json.loads(self.path(groups, text).read_bytes())["rows"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rows if isinstance(rows, list) and all(isinstance(row, dict) for row in rows) else None

    def put(self, groups, text: str, rows: list[dict], until_ms: int, started_ms: int) -> None:
        """Keep ``rows`` if the window ended before the ingestion lag, as the query started."""
        if until_ms > started_ms - OPEN_GRACE_MS:
            return
        path = self.path(groups, text)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp.write_text(json.dumps({"rows": rows}), encoding="utf-8")
            os.replace(temp, path)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise cache_write_error(self.folder, error) from None
