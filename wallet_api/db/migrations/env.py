"""Alembic environment: runs against the engine wallet_api hands over (no ini file URL)."""

from alembic import context
from sqlmodel import SQLModel

from wallet_api.db.tables import import_all_tables

import_all_tables()
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
