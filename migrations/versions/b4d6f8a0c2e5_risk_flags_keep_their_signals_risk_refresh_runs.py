"""risk flags keep their signals; risk refresh runs

The risk list and My overview's risk card evaluated all seven rules over every student the
viewer sees on each request. Now the nightly refresh stores each open flag's signals and
records its run (`risk_refresh`); a change to a student's case brings that student's flag up
to date when it is committed, and the pages read the stored signals (app.risk.queries).

Revision ID: b4d6f8a0c2e5
Revises: a8b0c2d4e6f9
Create Date: 2026-12-04 12:27:22.299716

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b4d6f8a0c2e5"
down_revision = "a8b0c2d4e6f9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "risk_refresh",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_refresh")),
    )
    with op.batch_alter_table("risk_refresh", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_refresh_on"), ["on"], unique=False)

    with op.batch_alter_table("risk_flag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signals", sa.JSON(), nullable=True))
        batch_op.create_index(
            "ix_risk_flag_open",
            ["last_seen_on"],
            unique=False,
            sqlite_where=sa.text("cleared_on IS NULL"),
            postgresql_where=sa.text("cleared_on IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("risk_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_flag_open")
        batch_op.drop_column("signals")

    with op.batch_alter_table("risk_refresh", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_refresh_on"))

    op.drop_table("risk_refresh")
