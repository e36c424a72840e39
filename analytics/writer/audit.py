"""The writer's audit log: one JSON line per change applied to a bot (issue 5)."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from lexlens import __version__
from lexlens.analytics.userdirs import user_data_dir
from lexlens.analytics.writer.apply import ApplyResult
from lexlens.analytics.writer.plan import DRAFT, UtterancePlan


def fetch_caller_identity(sts_client) -> dict | None:
    """sts:GetCallerIdentity as {account, arn, user_id}, or None if it fails for any reason."""
    try:
        identity = sts_client.get_caller_identity()
    except Exception:  # the audit line is still written without an identity
        return None
    return {"account": identity.get("Account"), "arn": identity.get("Arn"),
            "user_id": identity.get("UserId")}


def default_audit_path() -> Path:
    """``<user data dir>/lexlens/audit.jsonl`` (XDG on Linux, Library on macOS, LOCALAPPDATA)."""
    return user_data_dir() / "audit.jsonl"


def write_audit_line(path: Path | str, *, bot_id: str, locale_id: str, intent_id: str,
                     intent_name: str, utterances: Sequence[str], caller: dict | None = None,
                     region: str | None = None, now: datetime | None = None,
                     signed_in_user: str | None = None) -> dict:
    """Append one JSON line recording an applied change; the file is private to the user (0600).
    ``signed_in_user`` is the dashboard user who applied it (``lexlens serve --auth``)."""
    record = {
        "time": (now or datetime.now(timezone.utc)).isoformat(),
        "caller": caller,
        "region": region,
        "bot_id": bot_id,
        "bot_version": DRAFT,
        "locale_id": locale_id,
        "intent_id": intent_id,
        "intent_name": intent_name,
        "utterances_added": list(utterances),
        "lexlens_version": __version__,
    }
    if signed_in_user is not None:
        record["signed_in_user"] = signed_in_user
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=True) + "\n")
    return record


def audit_applied(path: Path | str, plan: UtterancePlan, result: ApplyResult, sts_client=None,
                  region: str | None = None, signed_in_user: str | None = None) -> dict | None:
    """Append the audit line of one applied change (None when nothing was written)."""
    if not result.written:
        return None
    caller = fetch_caller_identity(sts_client) if sts_client is not None else None
    return write_audit_line(path, bot_id=plan.bot_id, locale_id=plan.locale_id,
                            intent_id=result.intent_id, intent_name=result.intent_name,
                            utterances=result.added, caller=caller, region=region,
                            signed_in_user=signed_in_user)
