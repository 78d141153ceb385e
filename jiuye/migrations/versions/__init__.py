"""Alembic revisions, one file each, in one linear chain (``down_revision``)."""
