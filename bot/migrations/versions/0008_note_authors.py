"""Note authors: who added a citizen note, as a keyed hash of their channel and conversation
(bot.pseudonyms), so a citizen who follows a case can add to it and their erasure still
finds what they wrote on a case someone else reported.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_case_events_author_hash', ['author_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_author_hash')
        batch_op.drop_column('author_hash')
