"""The one place that reads the time, so tests can move it."""
from datetime import UTC, datetime


def now() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so the database holds naive UTC everywhere."""
    return datetime.now(UTC).replace(tzinfo=None)
