"""Engines, tables, units of work, migrations and the upkeep of expired rows."""
