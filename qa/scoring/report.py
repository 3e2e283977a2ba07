"""The supervisor's summary (``callqa report``): leaderboard, weeks, rollups, flags, unscorable
calls, and the outcome KPIs (reasons, resolution, callbacks, escalations, outbound conversion).

Formats: ``json`` (everything), ``csv`` (the operator x ISO week table, one row per operator
and week, the table a spreadsheet wants), ``table`` (every section as plain-text tables).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from qa.store import Store

FORMATS = ("table", "csv", "json")
_LEADERBOARD = ("rank", "operator_id", "calls", "scored", "not_scorable", "mean_score", "median_score", "trend",
                "flags", "mean_handle_time_s", "mean_talk_listen_ratio", "dead_air_s", "mean_sentiment_end")
_WEEKLY = ("iso_week", "operator_id", "rank", "calls", "scored", "not_scorable", "mean_score", "median_score",
           "change", "flags", "mean_handle_time_s", "mean_talk_listen_ratio", "dead_air_s", "mean_sentiment_end")

_OUTCOMES = ("iso_week", "operator_id", "calls", "not_judged", "complaints", "inbound", "resolution_rate",
             "callback_rate", "escalation_rate", "outbound", "conversion_rate", "refused", "refused_price",
             "refused_already_has", "refused_not_interested", "refused_call_later", "do_not_call",
             "completion_rate", "mean_handle_time_s")


@dataclass(frozen=True)
class Report:
    """Everything ``callqa report`` shows, as plain rows."""

    since: date | None
    operator_id: str | None
    timezone: str
    leaderboard: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    not_scorable: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]  # operator x ISO week outcome KPIs
    reasons: list[dict[str, Any]]  # calls per reason and ISO week
    attempts: list[dict[str, Any]]  # dial attempts and the connection rate by operator and ISO week


def build_report(store: Store, since: date | None = None, operator_id: str | None = None,
                 synthetic: bool | None = None) -> Report:
    """The report over calls from ``since`` (a day in the store's time zone; None: all calls)."""
    return Report(
        since=since, operator_id=operator_id, timezone=store.timezone,
        leaderboard=store.leaderboard(since, operator_id=operator_id, synthetic=synthetic),
        weeks=store.weekly("operator_id", since, key=operator_id, synthetic=synthetic),
        teams=[] if operator_id else store.weekly("team", since, synthetic=synthetic),
        campaigns=[] if operator_id else store.weekly("campaign", since, synthetic=synthetic),
        flags=store.flag_counts("operator_id", since, key=operator_id, synthetic=synthetic),
        not_scorable=store.not_scorable(since, operator_id=operator_id, synthetic=synthetic),
        outcomes=store.outcome_kpis("operator_id", "week", since, key=operator_id, synthetic=synthetic),
        reasons=[] if operator_id else store.reasons(since, synthetic=synthetic),
        attempts=store.connection_rates("operator_id", "week", since, key=operator_id),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def to_json(report: Report) -> str:
    sections = {name: [{k: _plain(v) for k, v in row.items()} for row in getattr(report, name)]
                for name in ("leaderboard", "weeks", "teams", "campaigns", "flags", "not_scorable", "outcomes",
                             "reasons", "attempts")}
    head = {"since": _plain(report.since), "operator_id": report.operator_id, "timezone": report.timezone}
    return json.dumps(head | sections, indent=2) + "\n"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_WEEKLY, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _plain(v) for k, v in row.items()} for row in report.weeks)
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(_plain(value))


def _table(title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    if not rows:
        return f"{title}\n  (none)\n"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) or row.get(c) is None for row in rows) for c in columns]
    lines = [title, "  " + "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(columns, widths, numeric))]
    lines += ["  " + "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(r, widths, numeric))
              for r in cells]
    return "\n".join(lines) + "\n"


def to_table(report: Report) -> str:
    window = f"since {report.since.isoformat()}" if report.since else "all stored calls"
    who = f", operator {report.operator_id}" if report.operator_id else ""
    parts = [f"callqa report: {window}{who} (days and ISO weeks in {report.timezone})\n",
             _table("Leaderboard (mean score over the window; trend = latest week minus the one before)",
                    report.leaderboard, _LEADERBOARD),
             _table("Operators by ISO week", report.weeks, _WEEKLY)]
    if not report.operator_id:
        parts.append(_table("Teams by ISO week", report.teams, ("iso_week", "team") + _WEEKLY[2:]))
        parts.append(_table("Campaigns by ISO week", report.campaigns, ("iso_week", "campaign") + _WEEKLY[2:]))
    parts.append(_table("Flags by kind (dismissed flags left out)", report.flags, ("operator_id", "kind", "flags")))
    parts.append(_table("Not scorable (kept out of the averages)", report.not_scorable,
                        ("call_time", "operator_id", "call_id", "reason")))
    parts.append(_table("Outcomes by ISO week (rates over judged calls; not_judged: no outcome for the language)",
                        report.outcomes, _OUTCOMES))
    if not report.operator_id:
        parts.append(_table("Call reasons by ISO week", report.reasons, ("iso_week", "reason", "calls")))
    if report.attempts:
        parts.append(_table("Dial attempts by ISO week (attempts.csv; connected / attempts)", report.attempts,
                            ("iso_week", "operator_id", "attempts", "connected", "connection_rate")))
    return "\n".join(parts)


def render(report: Report, fmt: str) -> str:
    """The report in one of FORMATS."""
    return {"table": to_table, "csv": to_csv, "json": to_json}[fmt](report)
