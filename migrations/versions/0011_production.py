"""the reset request a browser follows, kept on the server

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_follows',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('reset_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('proven', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reset_id'], ['password_resets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('password_reset_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_follows_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_reset_follows_reset_id'), ['reset_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_follows_reset_id'))
        batch_op.drop_index(batch_op.f('ix_password_reset_follows_created_at'))
    op.drop_table('password_reset_follows')
