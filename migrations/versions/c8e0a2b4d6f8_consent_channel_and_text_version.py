"""consent channel and text version: how a consent was given (by the student in the app, or
recorded by staff from a signed paper form) and withdrawn, and the version of the consent text
(app.support.consent_text) it was given under. Existing consents were all recorded by staff:
channel 'paper', under the text of version 2026-1.

Revision ID: c8e0a2b4d6f8
Revises: e0a2c4d6f8b1
Create Date: 2026-12-04 03:36:06.322607

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e0a2b4d6f8'
down_revision = 'e0a2c4d6f8b1'
branch_labels = None
depends_on = None

# The consent text's version when this migration was written (app.support.consent_text), for
# the consents recorded before it; later versions do not change what those were given under.
_TEXT_VERSION = '2026-1'


def _channel(name):
    return sa.Enum('app', 'paper', name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', _channel('consent_channel'), nullable=False, server_default='paper'))
        batch_op.add_column(sa.Column('text_version', sa.String(length=20), nullable=False, server_default=_TEXT_VERSION))
        batch_op.add_column(sa.Column('withdrawn_channel', _channel('consent_withdrawn_channel'), nullable=True))
    # The defaults were only for the existing rows: the app sets both on every new consent.
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.alter_column('channel', server_default=None)
        batch_op.alter_column('text_version', server_default=None)


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consent_consent_withdrawn_channel'), type_='check')
        batch_op.drop_constraint(op.f('ck_consent_consent_channel'), type_='check')
        batch_op.drop_column('withdrawn_channel')
        batch_op.drop_column('text_version')
        batch_op.drop_column('channel')
