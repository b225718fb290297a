"""support arranged at the workplace and requests for help: an employer's own support
records (support_measure.organisation_id, health_related; three workplace measure types) and
help_request (a supervisor or coordinator asks the school for a case review or a conversation)

Revision ID: d0f2b4c6e8a3
Revises: f7a9b1c3d5e7
Create Date: 2026-12-04 07:14:29.850362

"""
from alembic import op
import sqlalchemy as sa


_OLD_TYPES = (
    'sps_study_support', 'it_package', 'instruction_hours', 'interpreter', 'note_taking',
    'nota', 'mentor', 'extra_guidance', 'language_support', 'adjusted_training', 'other',
)
_TYPES = _OLD_TYPES + ('adjusted_tasks', 'extra_supervision', 'work_aids')

# revision identifiers, used by Alembic.
revision = 'd0f2b4c6e8a3'
down_revision = "f7a9b1c3d5e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('case_review', 'conversation', name='help_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'scheduled', 'declined', name='help_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status = 'open' OR answered_at IS NOT NULL", name=op.f('ck_help_request_answered_when_not_open')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_help_request_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_help_request_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_help_request_period_id_period'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_help_request_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['case_review.id'], name=op.f('fk_help_request_review_id_case_review'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_help_request_student_id_student'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request'))
    )
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_request_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_student_id'), ['student_id'], unique=False)

    with op.batch_alter_table('support_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('health_related', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_support_measure_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_support_measure_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_support_measure_measure_type'), type_='check')
        batch_op.create_check_constraint('measure_type', sa.column('type').in_(_TYPES))



def downgrade():
    # The employer's records go with the columns that mark them (they would otherwise turn
    # into the school's own records); their SPS steps cannot exist.
    op.execute(
        "DELETE FROM support_measure_period WHERE measure_id IN "
        "(SELECT id FROM support_measure WHERE organisation_id IS NOT NULL)"
    )
    op.execute("DELETE FROM support_measure WHERE organisation_id IS NOT NULL")
    with op.batch_alter_table('support_measure', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_support_measure_measure_type'), type_='check')
        batch_op.create_check_constraint('measure_type', sa.column('type').in_(_OLD_TYPES))
        batch_op.drop_constraint(batch_op.f('fk_support_measure_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_support_measure_organisation_id'))
        batch_op.drop_column('health_related')
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_request_student_id'))
        batch_op.drop_index(batch_op.f('ix_help_request_status'))
        batch_op.drop_index(batch_op.f('ix_help_request_requested_at'))
        batch_op.drop_index(batch_op.f('ix_help_request_organisation_id'))

    op.drop_table('help_request')
