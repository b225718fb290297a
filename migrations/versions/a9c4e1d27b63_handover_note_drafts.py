"""handover_note: drafts, kept to the author's organisation until sent

Revision ID: a9c4e1d27b63
Revises: a7c4e2f19b30
Create Date: 2026-12-03 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c4e1d27b63'
down_revision = 'a7c4e2f19b30'
branch_labels = None
depends_on = None


def upgrade():
    # Every note written before drafts existed was sent.
    with op.batch_alter_table('handover_note', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_draft', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    # Without the flag a draft would read as a sent note, shown to the receiving side: drop
    # the drafts rather than let them out.
    op.execute(sa.text("DELETE FROM handover_note WHERE is_draft"))
    with op.batch_alter_table('handover_note', schema=None) as batch_op:
        batch_op.drop_column('is_draft')
