"""Alembic migrations of the jiuye database (run with ``jiuye db upgrade``; see :mod:`jiuye.db`)."""
