"""case_event: the thing a line records (target kind and id), so the line can link to it

Revision ID: 5c1e8a4f2b90
Revises: 3b7d2c91a5e4
Create Date: 2026-12-03 11:40:00.000000

Lines about a note or a case review already name it (note_id, review_id); they are filled in.
Older lines about other things (handover notes, measures, warnings) did not record which one,
so they stay without a link.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e8a4f2b90'
down_revision = '3b7d2c91a5e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_kind', sa.Enum(
            'handover', 'note', 'review', 'measure', 'need', 'warning', 'declaration',
            'training', name='case_event_target', native_enum=False, create_constraint=False,
            length=32,
        ), nullable=True))
        batch_op.add_column(sa.Column('target_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE case_event SET target_kind = 'note', target_id = note_id "
        "WHERE note_id IS NOT NULL"
    )
    op.execute(
        "UPDATE case_event SET target_kind = 'review', target_id = review_id "
        "WHERE review_id IS NOT NULL AND note_id IS NULL"
    )


def downgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_column('target_id')
        batch_op.drop_column('target_kind')
