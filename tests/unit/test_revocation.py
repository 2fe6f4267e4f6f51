"""The revocation rule and its per-process cache: a revocation made elsewhere is obeyed within
60 s, and the cache stays bounded."""

from __future__ import annotations

from chalicelib.domain.revocation import CACHE_SECONDS, REFUSED_WITHIN_SECONDS, issued_before_revocation
from chalicelib.services.revocation import ValidFromCache


def test_a_token_from_before_the_instant_is_refused_and_one_from_its_second_is_not():
    assert not issued_before_revocation(1_000, None)
    assert issued_before_revocation(999, 1_000)
    assert not issued_before_revocation(1_000, 1_000)
    assert not issued_before_revocation(1_001, 1_000)


class FakeStore:
    def __init__(self) -> None:
        self.valid_from: dict[str, int] = {}
        self.reads = 0

    def load(self, account_id: str) -> int | None:
        self.reads += 1
        return self.valid_from.get(account_id)


def test_a_revocation_by_another_instance_is_obeyed_within_sixty_seconds():
    now = [0.0]
    cache = ValidFromCache(monotonic=lambda: now[0])
    store = FakeStore()
    assert cache.get("a", store.load) is None  # read, and remembered as "never revoked"

    store.valid_from["a"] = 500  # another instance revokes
    now[0] = CACHE_SECONDS - 1
    assert cache.get("a", store.load) is None  # still the remembered answer: one read so far
    assert store.reads == 1
    now[0] = CACHE_SECONDS
    assert cache.get("a", store.load) == 500
    assert CACHE_SECONDS < REFUSED_WITHIN_SECONDS


def test_the_cache_forgets_its_oldest_accounts_beyond_its_size():
    cache = ValidFromCache(entries=2, monotonic=lambda: 0.0)
    store = FakeStore()
    for account in ("a", "b", "c"):
        cache.get(account, store.load)
    assert store.reads == 3
    cache.get("c", store.load)
    cache.get("b", store.load)
    assert store.reads == 3
    cache.get("a", store.load)  # forgotten: read again
    assert store.reads == 4
