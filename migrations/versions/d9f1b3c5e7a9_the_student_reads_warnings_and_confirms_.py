"""the student reads warnings and confirms declarations: training_warning.read_at,
student_comment, commented_at; declaration.student_confirmed_at

Revision ID: d9f1b3c5e7a9
Revises: c8e0a2b4d6f8
Create Date: 2026-12-04 03:41:18.678114

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9f1b3c5e7a9'
down_revision = 'c8e0a2b4d6f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_confirmed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('training_warning', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('student_comment', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('commented_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('training_warning', schema=None) as batch_op:
        batch_op.drop_column('commented_at')
        batch_op.drop_column('student_comment')
        batch_op.drop_column('read_at')

    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_column('student_confirmed_at')
