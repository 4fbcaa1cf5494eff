"""Standard reasons: a status change keeps the code of the standard reason the caseworker
picked (content/services.yml `reasons:`), so each citizen reads it in their own language.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 16:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_column('reason_code')
