"""FranceConnect: accounts linked by sub, accounts without a password, flows in progress,
the ID token of a sign-in through FranceConnect

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)
        batch_op.add_column(sa.Column('franceconnect_sub', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint('uq_accounts_franceconnect_sub', ['franceconnect_sub'])

    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('franceconnect_id_token', sa.Text(), nullable=True))

    op.create_table('franceconnect_flows',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=8), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('franceconnect_flows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_franceconnect_flows_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('franceconnect_flows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_franceconnect_flows_created_at'))
    op.drop_table('franceconnect_flows')

    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.drop_column('franceconnect_id_token')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_accounts_franceconnect_sub', type_='unique')
        batch_op.drop_column('franceconnect_sub')
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
