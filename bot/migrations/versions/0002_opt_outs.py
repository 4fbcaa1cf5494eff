"""SMS opt-outs: numbers that sent STOP (and when they sent START again).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('keyword', sa.String(length=20), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(), nullable=False),
    sa.Column('opted_in_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'address', name='uq_opt_outs_channel_address')
    )


def downgrade() -> None:
    op.drop_table('opt_outs')
