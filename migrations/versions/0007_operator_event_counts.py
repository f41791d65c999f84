"""the operator's counts: by day and dimension, and by minute

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _key(name, length=40):
    return sa.Column(name, sa.String(length=length), nullable=False)


def upgrade():
    op.create_table('event_counts',
    sa.Column('day', sa.Date(), nullable=False),
    _key('event'), _key('step'), _key('channel', 8), _key('detail'),
    sa.Column('bucket', sa.Integer(), nullable=False),
    _key('language', 8), _key('js', 4), _key('device', 8), _key('kiosk', 64), _key('provider', 16),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'event', 'step', 'channel', 'detail', 'bucket', 'language', 'js', 'device',
                            'kiosk', 'provider')
    )
    op.create_table('event_minutes',
    sa.Column('minute', sa.DateTime(), nullable=False),
    _key('event'), _key('detail'),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('minute', 'event', 'detail')
    )


def downgrade():
    op.drop_table('event_minutes')
    op.drop_table('event_counts')
