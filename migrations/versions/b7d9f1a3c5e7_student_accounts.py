"""student accounts: the student role, and the one student a student's membership opens (the
membership role CHECK constraint is recreated with it)

Revision ID: b7d9f1a3c5e7
Revises: a6c8e0f2b4d5
Create Date: 2026-12-04 03:21:58.310566

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d9f1a3c5e7'
down_revision = 'a6c8e0f2b4d5'
branch_labels = None
depends_on = None


_OLD_ROLES = (
    'counsellor', 'teacher', 'school_admin', 'training_coordinator', 'supervisor',
    'municipality_admin', 'analyst', 'system_admin', 'partnership_coordinator', 'leader',
)
_ROLES = _OLD_ROLES + ('student',)


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_membership_student_id'), ['student_id'])
        batch_op.create_foreign_key(batch_op.f('fk_membership_student_id_student'), 'student', ['student_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', sa.column('role').in_(_ROLES))
        batch_op.create_check_constraint(
            'student_iff_student_role', "(role = 'student') = (student_id IS NOT NULL)"
        )


def downgrade():
    op.execute("DELETE FROM membership WHERE role = 'student'")
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_membership_student_iff_student_role'), type_='check')
        batch_op.drop_constraint(op.f('ck_membership_role'), type_='check')
        batch_op.create_check_constraint('role', sa.column('role').in_(_OLD_ROLES))
        batch_op.drop_constraint(batch_op.f('fk_membership_student_id_student'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_membership_student_id'), type_='unique')
        batch_op.drop_column('student_id')
