"""A Query on a table's own key reads one partition, as DynamoDB does — not the whole table.

moto's `Table.query` walks `all_items()`, which collects *and sorts* every item of the table,
then keeps those with the asked partition key: an availability page cost ~50 ms at 1,000 slot
items and ~570 ms at 100,000 (bench/booking_bench.py). For a base-table query (no index) this
hands moto's own query code only the asked partition; everything else (conditions, filters,
sorting, paging) stays moto's. An index query still has to look at every item (moto keeps no
index), but no longer sorts the whole table first: moto sorts the matching items itself.

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


def _unsorted_items(table: Table) -> list[Any]:
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_BEFORE_INDEX_NAME] if len(args) > _BEFORE_INDEX_NAME else kwargs.get("index_name")
    if hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    # Shadows the method for this call only.
    self.all_items = (lambda: _unsorted_items(self)) if index_name else (lambda: _partition_items(self, hash_key))
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
