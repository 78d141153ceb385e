"""法定计数用语（catalog G1，《中华人民共和国民法典》第一千二百五十九条）.

民法典 第1259条：“民法所称的‘以上’、‘以下’、‘以内’、‘届满’，包括本数；所称的‘不满’、‘超过’、‘以外’，不包括本数。”

Every threshold in every measure goes through :func:`meets`, so the reading of a counting word lives
in exactly one place.  It works on plain Python values and on Polars expressions alike, because both
support the comparison operators.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

T = TypeVar("T")

LEGAL_BASIS = "《民法典》第1259条"

# word -> (comparison value ⋄ threshold, includes the number itself?)
_WORDS: dict[str, tuple[Callable[[Any, Any], Any], bool]] = {
    "以上": (operator.ge, True),
    "及以上": (operator.ge, True),
    "以下": (operator.le, True),
    "及以下": (operator.le, True),
    "以内": (operator.le, True),
    "届满": (operator.ge, True),
    "满": (operator.ge, True),  # 满N个月 = 至少N个月 (catalog G1)
    "不少于": (operator.ge, True),
    "不低于": (operator.ge, True),
    "不超过": (operator.le, True),
    "不满": (operator.lt, False),
    "超过": (operator.gt, False),
    "以外": (operator.gt, False),
    "低于": (operator.lt, False),
}

COUNTING_WORDS: tuple[str, ...] = tuple(_WORDS)
# a ⋄ b is b ⋄' a
_MIRRORED: dict[Callable[[Any, Any], Any], Callable[[Any, Any], Any]] = {
    operator.ge: operator.le, operator.le: operator.ge, operator.gt: operator.lt, operator.lt: operator.gt,
}  # fmt: skip


def meets(word: str, value: T, threshold: Any) -> Any:
    """``value`` 是否满足“``threshold`` + ``word``”，例如 ``meets("超过", 失业月数, 6)``.

    Returns a ``bool`` for scalars and a boolean expression for Polars expressions.
    """
    try:
        compare, _ = _WORDS[word]
    except KeyError as exc:  # a typo here must never silently become a different rule
        raise ValueError(f"未知的计数用语：{word!r}（可用：{'、'.join(_WORDS)}）") from exc
    literal_first = isinstance(value, pl.Expr) and value.meta.is_literal(allow_aliasing=True)
    if literal_first and isinstance(threshold, pl.Expr):
        # the literal on the right: Polars (2.1) compares a literal on the left with a column that holds one
        # repeated value (a merged gathering's equal days, a column set by ``pl.lit``) into ONE row, not one per
        # row ("Series …, length 1 doesn't match the DataFrame height"); the mirrored comparison is the same
        return _MIRRORED[compare](threshold, value)
    return compare(value, threshold)


def includes_number(word: str) -> bool:
    """该用语是否包括本数（民法典 第1259条）。"""
    if word not in _WORDS:
        raise ValueError(f"未知的计数用语：{word!r}")
    return _WORDS[word][1]


def symbol(word: str) -> str:
    """Comparison sign shown in explanations (≥, >, ≤, <)."""
    compare, _ = _WORDS[word]
    return {operator.ge: "≥", operator.gt: ">", operator.le: "≤", operator.lt: "<"}[compare]
