"""Proactive matching (免申即享 / 政策找人): the whole registry through the rules engine, into the ledger."""
