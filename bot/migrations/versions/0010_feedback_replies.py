"""Feedback replies: the staff member who read a piece of feedback, when, and what the city
answered. Feedback was stored and never shown to anyone unless it named a case; the console's
feedback inbox (console/feedback_routes.py) lists it, and a reply goes back to the citizen on
their channel (bot.feedback_inbox).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('handled_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_created_at'))
        batch_op.drop_column('reply')
        batch_op.drop_column('handled_by')
        batch_op.drop_column('handled_at')
