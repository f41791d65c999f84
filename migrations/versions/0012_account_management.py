"""Mon compte: managing the account (the phone code required after a password reset)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.add_column(sa.Column('phone_code_required_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('password_reset_required_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.drop_column('password_reset_required_at')
        batch_op.drop_column('phone_code_required_since')
