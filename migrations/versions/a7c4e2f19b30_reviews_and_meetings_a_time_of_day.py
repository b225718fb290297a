"""case_review, review_meeting: the time of day it starts (empty for the rows before)

Revision ID: a7c4e2f19b30
Revises: 5c1e8a4f2b90
Create Date: 2026-12-03 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2f19b30'
down_revision = '5c1e8a4f2b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_time', sa.Time(), nullable=True))
    with op.batch_alter_table('review_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_time', sa.Time(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_meeting', schema=None) as batch_op:
        batch_op.drop_column('at_time')
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.drop_column('at_time')
