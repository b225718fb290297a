"""Paging in one statement: the page's rows and the total come back together.

Each row of the page carries the total, so the separate count query that `db.paginate` runs
is not needed. The total is a scalar subquery that counts the matching rows by their first
entity's primary key alone (`_total`): the database counts them from its indexes and fetches
the page's whole rows (and their eager loads) only for the page, where LIMIT can stop early.
(`count(*) OVER ()` on the whole row, the earlier way, builds every matching row in full before
LIMIT: "My follow-ups" for a counsellor with 1,269 due measures took 11.6 ms for its first
page that way, 2.7 ms this way.) Only a page past the end, which has no rows to carry it, asks
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
        counted = query.add_columns(_total(query).label("_total"))
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
        return count_rows(self._query_args["select"])


def _narrow(query: sa.Select) -> sa.Select | None:
    """`query` with only its first entity's primary key, unordered and unlimited: as many rows
    as `query`, counted without building them. None where the query groups or is distinct (its
    rows are not one per key then) or selects no entity."""
    first = query.column_descriptions[0].get("entity") if query.column_descriptions else None
    if first is None or query._group_by_clauses or query._distinct:
        return None
    key = sa.inspect(first).primary_key[0]
    return query.with_only_columns(key).order_by(None).limit(None).offset(None)


def _total(query: sa.Select) -> sa.ColumnElement[int]:
    """The number of rows `query` gives, as a column of each of its rows."""
    narrow = _narrow(query)
    if narrow is None:
        return sa.func.count().over()
    return sa.select(sa.func.count()).select_from(narrow.subquery()).scalar_subquery()


def count_rows(query: sa.Select) -> int:
    """The number of rows `query` gives, counted as `_total` counts them."""
    counted = _narrow(query)
    if counted is None:
        counted = query.order_by(None)
    return db.session.execute(
        sa.select(sa.func.count()).select_from(counted.subquery())
    ).scalar_one()


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
