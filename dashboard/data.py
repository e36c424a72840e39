"""Parsed logs, cached once per source, and the filtered view every page reads.

A source is parsed once and kept with ``st.cache_resource`` (shared, never copied: a
225,000-record load would cost seconds to pickle on every rerun with ``st.cache_data``),
keyed by each file's path, size and modification time, so an edited file is read again.
Filter changes only re-slice the cached tables (``apply_filters``), and derived tables
are cached per (source, filters, time zone) by ``derive``. Cached objects are shared
between sessions: treat them as read-only.
"""
from __future__ import annotations

import atexit
import os
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

import pandas as pd
import streamlit as st

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.filters import Filters, apply_filters
from lexlens.analytics.metrics.conversations import IDLE_TIMEOUT_S
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.schema import LogData


def source_stamp(paths: tuple[str, ...]) -> tuple:
    """(path, size, mtime_ns) of every log file the paths name: the cache key of a load."""
    from lexlens.analytics.sources.files import find_log_files

    files = find_log_files(list(paths))  # raises LexlensError for a missing path
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


@st.cache_resource(show_spinner=False)
def redaction_rules(options: tuple):
    """The masking rules of this server process: one secret for its whole life, so a value
    masks to the same token on every page and in every session."""
    from lexlens.analytics.privacy.redact import RedactionRules

    slots, attributes, min_digits = options
    return RedactionRules(slots=slots, attributes=attributes, min_digits=min_digits)


@st.cache_resource(max_entries=4, show_spinner="Reading the logs…")
def load_stamped(stamp: tuple, redaction: tuple | None = None) -> LogData:
    """Parse the files of ``stamp`` once (a new size or mtime is a new key); with
    ``redaction`` (``lexlens serve --redact``) the cached tables are already masked, so
    nothing unmasked is kept or shown. An upload reads at most LEXLENS_MAX_UPLOAD_BYTES
    (analytics/sources/limits.py): a visitor's bomb stops there."""
    from lexlens.analytics.sources.limits import limits_from_environment
    from lexlens.analytics.store.catalog import store_from_environment
    from lexlens.analytics.store.loader import load_logs_stored

    paths = [path for path, _, _ in stamp]
    upload = is_upload(paths)
    store = store_from_environment() if kept_in_store(paths) else None
    data, _ = load_logs_stored(paths, store, limits=limits_from_environment(upload=upload))
    if store is not None:  # this process's VADER memo knows the store's scores and adds to them
        from lexlens.analytics.metrics import sentiment
        from lexlens.analytics.store.scores import stored_scores

        known, save = stored_scores(store, sentiment.vader_scoring())
        sentiment.PROCESS_MEMO.known.update(known)
        sentiment.PROCESS_MEMO.save = save
    if redaction is not None:
        from lexlens.analytics.privacy.redact import redact_log_data

        data = redact_log_data(data, redaction_rules(redaction))
    return data


def is_upload(paths: list[str]) -> bool:
    return all(Path(path).resolve().is_relative_to(upload_dir().resolve()) for path in paths)


def kept_in_store(paths: list[str]) -> bool:
    """Whether the store keeps these files' tables: an upload or a pulled CloudWatch window is
    read once, and keeping its tables would only cost."""
    from lexlens.analytics.sources.cloudwatch.cache import is_window_file

    return not is_upload(paths) and not any(is_window_file(path) for path in paths)


def values_store(stamp: tuple):
    """The store that keeps the figures derived from this load across restarts
    (``analytics.store.kept_values``), or None: masked data (each server masks with its own
    secret), files the store does not keep, or no store. Asked only when a figure is not in
    memory."""
    from lexlens.analytics.store.catalog import store_from_environment
    from lexlens.dashboard.access import read_redaction

    paths = [path for path, _, _ in stamp]
    if not paths or read_redaction() is not None or not kept_in_store(paths):
        return None
    return store_from_environment()


def load_source(paths: tuple[str, ...]) -> tuple[tuple, LogData]:
    """(stamp, data) for the paths; LexlensError for a missing or unreadable path."""
    from lexlens.dashboard.access import read_redaction

    try:
        stamp = source_stamp(paths)
    except OSError as error:
        raise LexlensError(f"cannot read {error.filename or paths}: {error.strerror or error}.") from None
    if not stamp:
        raise LexlensError("no log files found in " + ", ".join(paths) + ".")
    return stamp, load_stamped(stamp, read_redaction())


@st.cache_resource(show_spinner=False)
def upload_dir() -> Path:
    """This server process's private folder for uploads (mode 0700, a fresh random name, so no
    other local user can read it or create it first), removed when the server stops."""
    folder = Path(tempfile.mkdtemp(prefix="lexlens-uploads-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def save_uploads(files) -> tuple[str, ...]:
    """Write uploaded files into a folder named after their content (in ``upload_dir``);
    return that folder."""
    digest = hashlib.sha256()
    for upload in files:
        digest.update(upload.name.encode("utf-8", "replace"))
        digest.update(upload.getvalue())
    folder = upload_dir() / digest.hexdigest()[:20]
    folder.mkdir(mode=0o700, exist_ok=True)
    for number, upload in enumerate(files):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.name).name) or "upload"
        target = folder / f"{number:02d}-{name}"
        if not target.exists():
            target.write_bytes(upload.getvalue())
    return (str(folder),)


@dataclass(frozen=True)
class OutcomeSettings:
    """What the outcome metrics depend on besides the filters (sidebar, app-wide)."""

    idle_timeout_s: float = float(IDLE_TIMEOUT_S)
    escalation: Optional[EscalationRule] = None


@dataclass
class View:
    """What every page reads: the full load, the filtered slice, and the settings."""

    stamp: tuple
    full: LogData
    data: LogData
    filters: Filters
    tz: str
    outcome: OutcomeSettings = OutcomeSettings()

    @property
    def key(self) -> tuple:
        """What every derived value depends on, the outcome settings included: a value cached
        under this key cannot outlive a change of the inactivity threshold."""
        return (self.stamp, self.filters, self.tz, self.outcome)

    @property
    def turns(self) -> pd.DataFrame:
        return self.data.turns


@st.cache_resource(max_entries=8, show_spinner=False)
def filter_stamped(stamp: tuple, filters: Filters, _full: LogData) -> LogData:
    """The cached slice of one source for one set of filters."""
    return apply_filters(_full, filters)


def make_view(stamp: tuple, full: LogData, filters: Filters, tz: str,
              outcome: OutcomeSettings = OutcomeSettings()) -> View:
    return View(stamp, full, filter_stamped(stamp, filters, full), filters, tz, outcome)


def previous_period(view: View) -> Optional[View]:
    """The same filters over the period of the same length just before, or None
    without a time window."""
    since, until = view.filters.since, view.filters.until
    if since is None or until is None:
        return None
    earlier = replace(view.filters, since=since - (until - since), until=since)
    return make_view(view.stamp, view.full, earlier, view.tz, view.outcome)


@st.cache_resource(max_entries=256, show_spinner=False)
def _derived(name: str, key: tuple, _compute: Callable):
    """``_compute()``, or the value the store kept for (name, key) from an earlier run."""
    from lexlens.analytics.store.kept_values import MISSING, keep_value, kept_value

    store = values_store(key[0][0])  # key: (view.key, params); view.key starts with the stamp
    if store is None:
        return _compute()
    # stamp (path, size, mtime), filters, zone, settings and params: plain values; the inodes
    # too, so a file replaced by another of the same size and time is not taken for it
    label = repr((name, key, file_inodes(key[0][0])))
    value = kept_value(store, label)
    if value is MISSING:
        value = _compute()
        keep_value(store, label, value)
    return value


def file_inodes(stamp: tuple) -> tuple:
    inodes = []
    for path, _, _ in stamp:
        try:
            inodes.append(os.stat(path).st_ino)
        except OSError:
            inodes.append(None)
    return tuple(inodes)


def derive(view: View, name: str, compute: Callable, *params):
    """``compute()`` cached per (source, filters, time zone, name, params): in this process,
    and, when small, in the store for the next server on the same files
    (``analytics.store.kept_values``). ``params`` must be plain values (their repr is the key)."""
    return _derived(name, (view.key, params), compute)


def current_view() -> View:
    """The view the app's sidebar built for this run."""
    return st.session_state["view"]
