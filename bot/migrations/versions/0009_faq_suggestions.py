"""FAQ suggestions: the entries offered to a citizen as "did you mean" when no answer was
clear, kept on the question's log row so the pick (or "none of these") can be checked against
what was offered, and the communications team sees which entries unanswered questions drew.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('faq_queries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_entries', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('faq_queries', schema=None) as batch_op:
        batch_op.drop_column('suggested_entries')
