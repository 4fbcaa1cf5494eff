"""Answer ratings: whether the citizen said a policy answer helped, so the communications
team sees the answers that missed (console /faq/missed) and can fix the content.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 19:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('faq_queries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helpful', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('rated_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('faq_queries', schema=None) as batch_op:
        batch_op.drop_column('rated_at')
        batch_op.drop_column('helpful')
