"""figure snapshot: the partnership dashboard's suppressed figures, computed ahead

Revision ID: d2f4a6b8c0e1
Revises: c17b1d4e6f32
Create Date: 2026-12-03 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2f4a6b8c0e1'
down_revision = "c17b1d4e6f32"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('figure_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_figure_snapshot_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_snapshot')),
    sa.UniqueConstraint('partnership_id', name=op.f('uq_figure_snapshot_partnership_id'))
    )


def downgrade():
    op.drop_table('figure_snapshot')
