"""Public statistics: places offered, booked, released, no-shows, the wait for a free place and
the share served in assigned mode, per day, per province and directorate (no token)."""

from __future__ import annotations

from chalicelib.api.http import endpoint
from chalicelib.contract import Statistics, StatisticsQuery
from chalicelib.domain.errors import ValidationFailed
from chalicelib.services import statistics

CACHE_SECONDS = 300  # figures change with the streams, within seconds; a reader may see them 5 minutes old


@endpoint("Public statistics of a province, per day and directorate", errors=(ValidationFailed,), cache_seconds=CACHE_SECONDS)
def public_statistics(query: StatisticsQuery) -> Statistics:
    return statistics.statistics(query)
