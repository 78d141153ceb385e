"""Page numbers of the paged lists (review queue, payment batches, flags, audit log): one bound for all.

A page beyond any real list is not an error on a page a user pages through (it is read as the last page number
allowed, which shows an empty page), and is refused in Chinese by the JSON API (``api_page``) — neither reaches
the database with a number SQLite cannot bind.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query

MAX_PAGE = 100_000


def page_number(page: int) -> int:
    """``page`` within 1 … :data:`MAX_PAGE` (the HTML pages)."""
    return max(1, min(page, MAX_PAGE))


def api_page() -> Any:
    """The ``page`` query parameter of the JSON API: 1 … :data:`MAX_PAGE`, refused outside."""
    return Query(1, ge=1, le=MAX_PAGE)
