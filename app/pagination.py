"""Paging for queries whose rows hold several entities (db.paginate keeps only the first)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db


class RowPagination(Pagination):
    """`items` are whole result rows; otherwise the same as `db.paginate(select)`."""

    def _query_items(self) -> list:
        query = self._query_args["select"]
        return list(db.session.execute(query.limit(self.per_page).offset(self._query_offset)))

    def _query_count(self) -> int:
        query = self._query_args["select"].order_by(None).subquery()
        return db.session.execute(sa.select(sa.func.count()).select_from(query)).scalar_one()


def paginate_rows(query: sa.Select, per_page: int) -> RowPagination:
    return RowPagination(
        select=query, page=None, per_page=per_page, max_per_page=None, error_out=False, count=True
    )
