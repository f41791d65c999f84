"""kiosk start codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:34:56.714750

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('start_codes',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('kiosk_id', sa.String(length=40), nullable=True),
    sa.Column('journey_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('start_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_start_codes_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_start_codes_journey_id'), ['journey_id'], unique=False)

    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_id', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.drop_column('kiosk_id')

    with op.batch_alter_table('start_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_start_codes_journey_id'))
        batch_op.drop_index(batch_op.f('ix_start_codes_expires_at'))

    op.drop_table('start_codes')
