"""Pagination that stays fast on large portfolios."""
from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: beyond that, `is_capped` is true and the count reads "cap+".

    Counting a million matching customers costs more than showing a page of them, and nobody
    pages through more than ten thousand rows: they filter.
    """

    def __init__(self, *args, cap: int = 10_000, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Unordered and on ids only, so the database stops at the cap instead of sorting.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return max(1, -(-min(self.count, self.cap) // self.per_page)) if self.count else 1
