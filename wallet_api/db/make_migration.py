"""Developer tool: autogenerate a migration from the models.

    python -m wallet_api.db.make_migration "add holders"

Runs against a throw-away SQLite database migrated to head, so the diff is exactly what the
models add. Review the generated file before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from wallet_api.db.engines import alembic_config, make_engine, run_migrations


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'autogen.db'}")
        run_migrations(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "schema change")
