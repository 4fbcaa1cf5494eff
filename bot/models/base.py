"""The declarative base every table of the case database shares (Alembic reads its metadata)."""
from sqlalchemy.orm import declarative_base

Base = declarative_base()
