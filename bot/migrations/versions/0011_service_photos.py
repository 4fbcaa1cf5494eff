"""Services say whether a photo helps: a photo of a pothole or graffiti shows the crew what
to bring, a photo of noise shows nothing. The report form asks for one only where it helps
(content/services.yml, `photos: false`); a photo sent anyway is still kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 13:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE ... ADD COLUMN on both databases: SQLite's batch mode would copy the
    # table and drop the old one, which the cases' foreign key to services refuses once
    # there are reports.
    op.add_column('services', sa.Column('asks_for_photos', sa.Boolean(), nullable=False,
                                        server_default=sa.true()))


def downgrade() -> None:
    op.drop_column('services', 'asks_for_photos')  # SQLite 3.35+ drops a column in place
