"""Alembic environment: migrates the database named by `sqlalchemy.url` or bot.settings."""
from alembic import context

from bot.db import get_engine
from bot.models import Base

config = context.config


def run_migrations() -> None:
    """Online migrations only: both SQLite and PostgreSQL are always reachable when we migrate."""
    url = config.get_main_option("sqlalchemy.url") or None
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
