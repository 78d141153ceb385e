"""Whole numbers as users send them: a path segment, a query or form field, a header.

``str.isdigit()`` is not "written in the digits 0–9": it is true of "²" and "①", which ``int()`` refuses (a 500
wherever the check was trusted), and of "١٢٣" (Arabic-Indic digits), which ``int()`` reads as 123 although no
record id, year or header is written so.  Every page that reads a number from what a user sent checks it here.
"""

from __future__ import annotations


def ascii_digits(text: str, most: int | None = None) -> bool:
    """Whether ``text`` is one or more of the ASCII digits 0–9 and nothing else — at most ``most`` of them when
    given, so that ``int(text)`` is both safe (Python refuses to read more than 4300 digits) and small."""
    return text.isascii() and text.isdigit() and (most is None or len(text) <= most)
