"""The spoken CAPTCHA code no longer kept in the journey: its token and expiry are in the
session cookie (the code derived from the token), so that opening a page writes no row

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journeys') as batch_op:
        batch_op.drop_column('captcha_code_expires_at')
        batch_op.drop_column('captcha_code')


def downgrade():
    with op.batch_alter_table('journeys') as batch_op:
        batch_op.add_column(sa.Column('captcha_code', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('captcha_code_expires_at', sa.DateTime(), nullable=True))
