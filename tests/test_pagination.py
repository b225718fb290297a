"""The paging helper (app.pagination): a page's rows and the list's total in one statement,
the total counted by key alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.models import Programme, Student
from app.pagination import count_rows, first_page
from tests import factories


@pytest.fixture
def students(app, db, world):
    made = [factories.student(world.a.school, last_name=f"Side{n:02d}") for n in range(7)]
    db.session.commit()
    return made


def _ours():
    return (
        select(Student)
        .where(Student.last_name.like("Side%"))
        .options(joinedload(Student.programme))
        .order_by(Student.last_name)
    )


def test_a_page_carries_the_total_and_the_total_statement_counts_keys_only(
    app, students, count_queries
):
    with app.test_request_context("/"), count_queries() as counted:
        page = first_page(_ours(), 3, entities=True)
        names = [s.last_name for s in page.items]
        total = page.total
    assert names == ["Side00", "Side01", "Side02"]
    assert total == 7
    assert counted.count == 1
    # The count is a subquery of the student's key alone, not of the whole (joined) row.
    counting = " ".join(counted.statements[0].split("count(*)")[1].split())
    assert counting.startswith("AS count_1 FROM (SELECT student.id AS id FROM student WHERE")


def test_rows_of_several_entities_and_a_page_past_the_end(app, students):
    query = (
        select(Student, Programme)
        .join(Programme, Programme.id == Student.programme_id)
        .where(Student.last_name.like("Side%"))
        .order_by(Student.last_name)
    )
    with app.test_request_context("/?page=3"):
        assert first_page(query, 5).total == 7
        assert [row[0].last_name for row in first_page(query, 5).items][-1] == "Side04"
        from app.pagination import paginate

        past = paginate(query, 5)  # page 3 of 2
        assert past.items == [] and past.total == 7
        assert count_rows(query) == 7


def test_a_grouped_list_is_counted_by_its_groups(app, students, world):
    query = (
        select(Student.last_name, func.count(Student.id))
        .where(Student.last_name.like("Side0%"))
        .group_by(Student.last_name)
        .order_by(Student.last_name)
    )
    with app.test_request_context("/"):
        page = first_page(query, 2)
        assert page.total == 7 and len(page.items) == 2
        assert count_rows(query) == 7
