"""a school's active students with their names: the open risk flags joined from the index alone

The students-at-risk list and My overview's signs-of-risk part join the day's open flags to the
viewer's school's active students (`school_id`, `status`) and show their names. PostgreSQL read
the school's students from ix_student_school_id_id and then the table for status and names: at
150,000 students 9,023 rows, 951 pages, 7 ms under EXPLAIN ANALYZE, the statement 10-11 ms (8 ms
at 50,000). (school_id, status, id) INCLUDE (last_name, first_name) gives them from the index
alone: the statement 4.0 ms at 150,000, 2.9 ms at 50,000. SQLite gets (school_id, status, id).

Revision ID: d2e4f6a8b0c1
Revises: 1911058db3f8
Create Date: 2026-12-05 04:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2e4f6a8b0c1'
down_revision = '1911058db3f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_student_school_id_status_id',
        'student',
        ['school_id', 'status', 'id'],
        unique=False,
        postgresql_include=['last_name', 'first_name'],
    )


def downgrade():
    op.drop_index('ix_student_school_id_status_id', table_name='student')
