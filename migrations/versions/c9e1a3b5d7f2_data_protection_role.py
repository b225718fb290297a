"""the data-protection role (databeskyttelsesrådgiver), who reviews the organisation's access
log (the membership role CHECK constraint is recreated with it), and an index for reading an
organisation's access log by time

Revision ID: c9e1a3b5d7f2
Revises: d0f2b4c6e8a3
Create Date: 2026-12-04 07:09:49.386039

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e1a3b5d7f2'
down_revision = "d0f2b4c6e8a3"
branch_labels = None
depends_on = None


_OLD_ROLES = (
    'counsellor', 'teacher', 'school_admin', 'training_coordinator', 'supervisor',
    'municipality_admin', 'analyst', 'system_admin', 'partnership_coordinator', 'leader',
    'student',
)
_ROLES = _OLD_ROLES + ('data_protection',)


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', sa.column('role').in_(_ROLES))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_audit_event_organisation_id_at', ['organisation_id', 'at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_organisation_id_at')
    op.execute("DELETE FROM membership WHERE role = 'data_protection'")
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', sa.column('role').in_(_OLD_ROLES))
