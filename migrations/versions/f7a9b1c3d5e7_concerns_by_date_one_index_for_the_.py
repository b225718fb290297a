"""concerns by date: one index for the newest concerns

The school's "From training" list and the concerns part of My overview read the concerns of
the last days. With an index on `concern` alone the planner went through every student of the
school and their experiences (SQLite, 20,000 students: about 360 ms); (concern, on_date) reads
the range of recent concerns and joins the school's students.

Revision ID: f7a9b1c3d5e7
Revises: b8d0f2a4c6e1
Create Date: 2026-12-04 08:07:40.822578

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7a9b1c3d5e7'
down_revision = 'b8d0f2a4c6e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_experience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_experience_concern'))
        batch_op.create_index('ix_training_experience_concern_on_date', ['concern', 'on_date'], unique=False)



def downgrade():
    with op.batch_alter_table('training_experience', schema=None) as batch_op:
        batch_op.drop_index('ix_training_experience_concern_on_date')
        batch_op.create_index(batch_op.f('ix_training_experience_concern'), ['concern'], unique=False)

