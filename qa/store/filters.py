"""WHERE clauses with their bound parameters, for queries over a call's grouping columns."""

from __future__ import annotations

from typing import Any


class Filters:
    """AND-ed clauses, each with one ``?`` bound to its value; empty values add nothing."""

    def __init__(self) -> None:
        self.clauses: list[str] = ["TRUE"]
        self.params: list[Any] = []

    def add(self, clause: str, value: Any) -> "Filters":
        if value is not None and value != () and value != []:
            self.clauses.append(clause)
            self.params.append(list(value) if isinstance(value, (tuple, list, set, frozenset)) else value)
        return self

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


def calls_filter(operator_id=None, team=None, campaign=None, language=None, since=None, until=None,
                 synthetic=None, prefix: str = "c.") -> Filters:
    """Clauses on the columns of ``call_days`` / ``call_facts`` (``prefix`` is the table alias)."""
    return (Filters().add(f"{prefix}operator_id = ?", operator_id).add(f"{prefix}team = ?", team)
            .add(f"{prefix}campaign = ?", campaign).add(f"{prefix}language = ?", language)
            .add(f"{prefix}day >= ?", since).add(f"{prefix}day <= ?", until)
            .add(f"{prefix}synthetic = ?", synthetic))
