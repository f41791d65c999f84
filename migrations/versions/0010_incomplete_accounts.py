"""unfinished accounts forgotten after a reminder; the app's scheduler

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_accounts_status_activated_at', ['status', 'activated_at'], unique=False)

    op.create_table('scheduled_runs',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('scheduled_runs')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_status_activated_at')
        batch_op.drop_column('reminded_at')
