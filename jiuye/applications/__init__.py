"""Residents and employers online: accounts (pluggable identity provider), 点单式 applications with
uploads, 免申即享 confirmation, and the public notice's concerns."""
