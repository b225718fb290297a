"""mail notices: preferences per user and kind, notices, daily digests

Revision ID: b17a0c3d5e21
Revises: 2ab28d44496a
Create Date: 2026-12-03 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b17a0c3d5e21'
down_revision = '2ab28d44496a'
branch_labels = None
depends_on = None


def _choice():
    return sa.Enum('immediately', 'digest', 'off', name='mail_choice', native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table('mail_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mail_digest_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_digest')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_mail_digest_user_id'))
    )
    op.create_table('mail_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('choice', _choice(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mail_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_mail_preference_user_id'))
    )
    with op.batch_alter_table('mail_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_preference_user_id'), ['user_id'], unique=False)

    op.create_table('mail_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('choice', _choice(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['digest_id'], ['mail_digest.id'], name=op.f('fk_mail_notice_digest_id_mail_digest'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mail_notice_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_notice'))
    )
    with op.batch_alter_table('mail_notice', schema=None) as batch_op:
        batch_op.create_index('ix_mail_notice_ref', ['kind', 'ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_notice_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_mail_notice_waiting', ['choice', 'digest_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_notice_waiting')
        batch_op.drop_index(batch_op.f('ix_mail_notice_user_id'))
        batch_op.drop_index('ix_mail_notice_ref')

    op.drop_table('mail_notice')
    with op.batch_alter_table('mail_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_preference_user_id'))

    op.drop_table('mail_preference')
    op.drop_table('mail_digest')
