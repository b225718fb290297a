"""concerns: a partial index of the recent concerns

My overview and the school's "From training" list read a school's concerns of the last days.
With (concern, on_date) the statistics say half the experiences are concerns, so SQLite walked
the school's 20,000 students and their experiences instead (regional data: 100 ms); a partial
index of the concerns alone (a few percent of the rows) is read by its date range (7 ms).

Revision ID: c5e7a9b1d3f6
Revises: b4d6f8a0c2e5
Create Date: 2026-12-04 12:47:06.477985

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c5e7a9b1d3f6"
down_revision = "b4d6f8a0c2e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("training_experience", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_experience_concern_on_date"))
        batch_op.create_index(
            "ix_training_experience_concern_recent",
            ["on_date"],
            unique=False,
            sqlite_where=sa.text("concern IS 1"),
            postgresql_where=sa.text("concern IS true"),
        )


def downgrade():
    with op.batch_alter_table("training_experience", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_training_experience_concern_recent",
            sqlite_where=sa.text("concern IS 1"),
            postgresql_where=sa.text("concern IS true"),
        )
        batch_op.create_index(
            batch_op.f("ix_training_experience_concern_on_date"),
            ["concern", "on_date"],
            unique=False,
        )
