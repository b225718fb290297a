"""Paging in one statement: the page's rows and the total come back together.

`count(*) OVER ()` is computed over all matching rows before LIMIT, so each row of the page
carries the total, and the separate count query that `db.paginate` runs (a second pass over
the same rows) is not needed. Only a page past the end, which has no rows to carry it, asks
for the count on its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db

# How every list pages: the caller's page size as it is, a page past the end empty (never a
# 404), and the total counted.
_SETTINGS = {"max_per_page": None, "error_out": False, "count": True}


class CountedPagination(Pagination):
    """`items` are whole result rows, or the first entity of each row with `entities=True`;
    otherwise the same as `db.paginate(select)`."""

    def _query_items(self) -> list:
        query = self._query_args["select"]
        counted = query.add_columns(sa.func.count().over().label("_total"))
        result = db.session.execute(counted.limit(self.per_page).offset(self._query_offset))
        rows = result.unique().all() if self._query_args["entities"] else result.all()
        self._total = rows[0][-1] if rows else None
        if self._query_args["entities"]:
            return [row[0] for row in rows]
        return [row[:-1] for row in rows]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        if self._query_offset == 0:
            return 0  # the first page is empty: nothing matches
        query = self._query_args["select"].order_by(None).subquery()
        return db.session.execute(sa.select(sa.func.count()).select_from(query)).scalar_one()


class ListPagination(Pagination):
    """A page of a list already in memory and in order (e.g. ids sorted in Python): `load`
    turns the page's slice into its items, so only the page's rows are read."""

    def _query_items(self) -> list:
        start = self._query_offset
        chunk = self._query_args["items"][start : start + self.per_page]
        return self._query_args["load"](chunk) if chunk else []

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list, per_page: int, load=list, page_arg: str = "page") -> ListPagination:
    """The page of `items` asked for in the request's `page_arg` argument, as `paginate`."""
    return ListPagination(
        items=items,
        load=load,
        page=request.args.get(page_arg, 1, type=int),
        per_page=per_page,
        **_SETTINGS,
    )


def paginate(
    query: sa.Select, per_page: int, *, entities: bool = False, page_arg: str = "page"
) -> CountedPagination:
    """The page asked for in the request's `page_arg` argument (the first if it is not a
    number). The one paging helper: every list pages through it."""
    return _counted(query, per_page, entities, request.args.get(page_arg, 1, type=int))


def first_page(query: sa.Select, per_page: int, *, entities: bool = False) -> CountedPagination:
    """The first `per_page` rows and the total, in one statement, whatever page the request
    asks for: the head of a list that a summary shows with a link to the whole list."""
    return _counted(query, per_page, entities, 1)


def _counted(query: sa.Select, per_page: int, entities: bool, page: int) -> CountedPagination:
    return CountedPagination(
        select=query,
        entities=entities,
        page=page,
        per_page=per_page,
        **_SETTINGS,
    )
