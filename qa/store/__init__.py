"""DuckDB storage: the schema, its migrations and every query. The only package with SQL.

Each module is one repository, a ``Database`` (database.py: short connections, transactions,
migrations) with the queries of one concern; each works on its own (``RunRows(path)``):

- calls.py       ``CallRows``: a call and all its rows, in one transaction (``save``)
- runs.py        ``RunRows``: batch runs, failures, purging
- scores.py      ``ScoreRows``: scores, score items, reviews
- aggregates.py  ``AggregateQueries``: operator, team and campaign aggregates
- review.py      ``ReviewQueries``: the review queue, drill-down, search, access log
- categories.py  ``CategoryRows``: call categories and outcomes
- outcomes.py    ``OutcomeQueries``: outcome KPIs by operator, team or campaign and day or week
- attempts.py    ``AttemptRows``: dial attempts (attempts.csv) and the connection rate
- category_reviews.py ``CategoryReviews``: reviewers' corrections of call categories

``Store`` is all of them over one file, for callers that need several.
"""

from qa.store.aggregates import AggregateQueries
from qa.store.attempts import AttemptRows
from qa.store.calls import SUMMARY_METRICS, CallRows, StoredCall
from qa.store.categories import CategoryRows
from qa.store.category_reviews import CATEGORY_DECISIONS, CategoryReviews
from qa.store.database import DEFAULT_DB, LOCK_TIMEOUT_S, Database
from qa.store.outcomes import OutcomeQueries
from qa.store.review import ReviewQueries
from qa.store.runs import RunRows
from qa.store.schema import MIGRATIONS
from qa.store.scores import ScoreRows


class Store(CallRows, RunRows, ScoreRows, AggregateQueries, ReviewQueries, CategoryRows, OutcomeQueries,
            AttemptRows, CategoryReviews):
    """Every repository over one DuckDB file; creates and migrates the schema.

    ``timezone`` (an IANA name) is the zone days and weeks are counted in.
    """


__all__ = ["CATEGORY_DECISIONS", "DEFAULT_DB", "LOCK_TIMEOUT_S", "MIGRATIONS", "SUMMARY_METRICS", "AggregateQueries",
           "AttemptRows", "CallRows", "CategoryReviews", "CategoryRows",
           "Database", "OutcomeQueries", "ReviewQueries", "RunRows", "ScoreRows", "Store", "StoredCall"]
