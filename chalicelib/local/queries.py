"""A Query on a table's own key reads one partition, as DynamoDB does — not the whole table.

moto's `Table.query` walks `all_items()`, which collects *and sorts* every item of the table,
then keeps those with the asked partition key: an availability page cost ~50 ms at 1,000 slot
items and ~570 ms at 100,000 (bench/booking_bench.py). For a base-table query (no index) this
hands moto's own query code only the asked partition; everything else (conditions, filters,
sorting, paging) stays moto's. Index queries are left as moto does them.

Safe because the emulator serialises every request under one lock (emulator.py).
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import Table

_original_query = Table.query
_installed = False


def _partition_items(table: Table, hash_key: Any) -> list[Any]:
    partition = table.items.get(hash_key)
    if partition is None:
        return []
    if table.range_key_attr:
        return sorted(partition.values(), key=lambda item: item.range_key)
    return [partition]


_BEFORE_INDEX_NAME = 6  # moto passes range_comparison … projection_expressions, then index_name, by position


def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_BEFORE_INDEX_NAME] if len(args) > _BEFORE_INDEX_NAME else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    self.all_items = lambda: _partition_items(self, hash_key)  # shadows the method for this call
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


def install() -> None:
    """Idempotent."""
    global _installed
    if not _installed:
        Table.query = query
        _installed = True
