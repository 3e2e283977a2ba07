"""Cached data access for the dashboard: every read goes through ``qa.store.Store`` here.

The Store, config, users and scorecards are resources (one per process and path); read
queries are cached for a short while, keyed by the database and their arguments, and
dropped after a review so the new score shows at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import streamlit as st

from qa.auth import DEMO_USERS, User, UserRecord, load_users
from qa.compliance.query import redact_query
from qa.config import Config, load_config
from qa.scoring.rescore import review_flag
from qa.scoring.scorecard import ScorecardBook, load_scorecards
from qa.serving import audio_dirs, servable_audio
from qa.store import DEFAULT_DB, Store

TTL_S = 30
# Store methods the pages may read through ``read``; nothing else is reachable by name.
READS = frozenset({
    "leaderboard", "weekly", "operator_trend", "daily", "flag_counts", "not_scorable", "review_queue",
    "call_header", "call_flags", "calls_list", "flag_breakdown", "search_transcripts", "decisions", "not_judged",
    "transcript", "score", "reviews", "calls", "filter_options", "disputed_flags", "call_categories", "call_outcome",
    "outcome_kpis", "reasons", "outcome_weeks", "calls_with_category", "calls_with_outcome", "category_reviews",
    "category_decisions",
})


def db_path() -> str:
    """The database the dashboard shows: $CALLQA_DB, else callqa.duckdb."""
    return str(Path(os.environ.get("CALLQA_DB") or DEFAULT_DB).resolve())


def config_path() -> str | None:
    """The TOML config: $CALLQA_CONFIG, else None (the defaults)."""
    return os.environ.get("CALLQA_CONFIG") or None


@st.cache_resource(show_spinner=False)
def _config(path: str | None) -> Config:
    return load_config(path)


def config() -> Config:
    return _config(config_path())


@st.cache_resource(show_spinner=False)
def _store(path: str, timezone: str) -> Store:
    return Store(path, timezone=timezone)


def store() -> Store:
    return _store(db_path(), config().scoring.timezone)


@st.cache_resource(show_spinner=False)
def _users(path: str) -> dict[str, UserRecord]:
    return load_users(path)


def users() -> tuple[dict[str, UserRecord], bool]:
    """The users file's records and whether they are the demo users."""
    path = config().dashboard.users
    return _users(path or str(DEMO_USERS)), not path


@st.cache_resource(show_spinner=False)
def _book(path: str | None) -> ScorecardBook:
    return load_scorecards(path)


def book() -> ScorecardBook:
    return _book(config().scoring.scorecards or None)


@st.cache_resource(show_spinner=False)
def _category_labels(path: str | None) -> dict[str, str]:
    from qa.compliance.category_book import load_categories

    return {c.id: c.label for c in load_categories(path).categories}


def category_labels() -> dict[str, str]:
    """Category id -> the label people read, from the configured category book."""
    return _category_labels(config().scoring.categories or None)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _read(db: str, timezone: str, method: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(_store(db, timezone), method)(*args, **dict(kwargs))


def read(method: str, *args: Any, **kwargs: Any) -> Any:
    """``Store.<method>(*args, **kwargs)``, cached for TTL_S seconds."""
    if method not in READS:
        raise ValueError(f"not a dashboard read: {method}")
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return _read(db_path(), config().scoring.timezone, method, args, tuple(sorted(kwargs.items())))


def clear_reads() -> None:
    """Forget cached query results (after a write)."""
    _read.clear()


def audio_file(audio_path: str | None) -> Path | None:
    """The call's stored audio when it may be served, else None."""
    return servable_audio(audio_path, audio_dirs(config(), db_path()), db_path())


def review(flag_id: int, user: User, decision: str, comment: str | None) -> float | None:
    """Store a review, rescore the call, drop the caches; return the new total."""
    _, score = review_flag(store(), book(), flag_id, user.login, decision, comment or None)
    clear_reads()
    return score.total


def review_category(call_id: str, category: str, user: User, decision: str, comment: str | None) -> None:
    """Store a correction of a call's category (confirm, dismiss or add) and drop the caches."""
    store().save_category_review(call_id, category, user.login, decision, comment or None)
    clear_reads()


def log_open(user: User, call_id: str) -> None:
    """Audit that ``user`` opened ``call_id``."""
    store().log_access(user.login, user.role, call_id)


def log_search(user: User, query: str, call_ids: list[str]) -> str:
    """Audit a transcript search: the query with its personal data masked, the calls shown; return that query."""
    redacted = redact_query(query)
    store().log_search(user.login, user.role, redacted, call_ids)
    return redacted


def access_log(user: str | None = None, call_id: str | None = None) -> list[dict[str, Any]]:
    """The access log, never cached (an audit trail must be current)."""
    return store().access_log(user=user, call_id=call_id)
