"""audit_event: the organisation the user acted for, for the student's access request

Revision ID: 3b7d2c91a5e4
Revises: e46445662dcf
Create Date: 2026-12-03 08:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7d2c91a5e4'
down_revision = 'e46445662dcf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('organisation_id')
