"""A Query on a table's own key reads one partition, as DynamoDB does — not the whole table.

moto's `Table.query` walks `all_items()`, which collects *and sorts* every item of the table,
then keeps those with the asked partition key: an availability page cost ~50 ms at 1,000 slot
items and ~570 ms at 100,000 (bench/booking_bench.py). For a base-table query (no index) this
hands moto's own query code only the asked partition; everything else (conditions, filters,
sorting, paging) stays moto's. An index query still has to look at every item (moto keeps no
index), but hands moto only the items of the asked index partition, already in order (a cheap
look at one attribute each): moto's own matching and sorting, in Python comparisons per item,
made a page of a 100,000-request waiting queue cost seconds (bench/assignment_bench.py figure 3).

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


def _index_partition_items(table: Table, index_name: str, hash_key: Any) -> tuple[list[Any], bool]:
    """The items of one partition of an index (every item when the index is not found: moto
    then reports it), and whether they are already in moto's order: sorted here by the index's
    sort key, then the table's keys, which is moto's order when those are all strings."""
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return _unsorted_items(table), False
    hash_name = next((k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"), None)
    range_names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    wanted = hash_key.value
    items = []
    for item in _unsorted_items(table):
        value = item.attrs.get(hash_name)
        if value is not None and value.value == wanted:
            items.append(item)
    order = [*range_names, table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    if len(range_names) != 1 or not all(item.attrs.get(name) is not None and item.attrs[name].type == "S"
                                        for item in items for name in order):
        return items, False
    items.sort(key=lambda item: tuple(item.attrs[name].value for name in order))
    return items, True


def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_BEFORE_INDEX_NAME] if len(args) > _BEFORE_INDEX_NAME else kwargs.get("index_name")
    if hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    # Shadows the method for this call only.
    if index_name:
        items, in_order = _index_partition_items(self, index_name, hash_key)
        self.all_items = lambda: items
        if in_order:  # moto's sort, in Python comparisons of its value objects, would keep the order
            self.sorted_items = lambda hash_attrs, range_attrs, found: found
    else:
        self.all_items = lambda: _partition_items(self, hash_key)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items
        self.__dict__.pop("sorted_items", None)


def install() -> None:
    """Idempotent."""
    global _installed
    if not _installed:
        Table.query = query
        _installed = True
