"""DuckDB storage: the schema, its migrations and every query. The only package with SQL.

Every operation opens its own short connection, so a batch holds DuckDB's single-writer
lock per call, not per batch, and a reader (the dashboard, ``callqa report``) can get in
between calls; a connection refused because another process holds the lock is retried.
"""

from qa.store.core import DEFAULT_DB, LOCK_TIMEOUT_S, SUMMARY_METRICS, Store, StoredCall
from qa.store.schema import MIGRATIONS

__all__ = ["DEFAULT_DB", "LOCK_TIMEOUT_S", "MIGRATIONS", "SUMMARY_METRICS", "Store", "StoredCall"]
