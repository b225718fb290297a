"""case history lines indexed by note, review, period and author

Deleting a case note, a review or a period sets the case-history lines that name it to NULL
(ON DELETE SET NULL), and deleting an account sets their author to NULL. Without an index each
deleted row read the whole case_event table: the retention engine's first run on the regional
data (323,859 notes of students who left) did not finish in 20 minutes. The three about-a-thing
columns are mostly empty, so their indexes are partial.

Revision ID: a8b0c2d4e6f9
Revises: e1a3c5d7f9b4
Create Date: 2026-12-04 08:49:38.877136

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8b0c2d4e6f9'
down_revision = 'e1a3c5d7f9b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_note_id', ['note_id'], unique=False, sqlite_where=sa.text('note_id IS NOT NULL'), postgresql_where=sa.text('note_id IS NOT NULL'))
        batch_op.create_index('ix_case_event_period_id', ['period_id'], unique=False, sqlite_where=sa.text('period_id IS NOT NULL'), postgresql_where=sa.text('period_id IS NOT NULL'))
        batch_op.create_index('ix_case_event_review_id', ['review_id'], unique=False, sqlite_where=sa.text('review_id IS NOT NULL'), postgresql_where=sa.text('review_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_case_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_user_id'))
        batch_op.drop_index('ix_case_event_review_id', sqlite_where=sa.text('review_id IS NOT NULL'), postgresql_where=sa.text('review_id IS NOT NULL'))
        batch_op.drop_index('ix_case_event_period_id', sqlite_where=sa.text('period_id IS NOT NULL'), postgresql_where=sa.text('period_id IS NOT NULL'))
        batch_op.drop_index('ix_case_event_note_id', sqlite_where=sa.text('note_id IS NOT NULL'), postgresql_where=sa.text('note_id IS NOT NULL'))

