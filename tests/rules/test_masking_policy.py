"""The one masking policy (issue 10): which columns are personal data is declared with the schema, how
each kind is shown in jiuye.rules.identifiers.MASKS."""

from __future__ import annotations

import polars as pl

from jiuye.registry import schema
from jiuye.rules.identifiers import MASKS, mask, mask_id_number, mask_text


def test_each_kind_is_masked_as_the_policy_says() -> None:
    assert MASKS["id_number"].text("310116199001010403") == "310116********0403"
    assert MASKS["phone"].text("15912346236") == "159****6236"
    assert MASKS["bank_account"].text("6222020000001234567") == "****4567"
    assert MASKS["name"].text("张三丰") == "张*"
    assert MASKS["address"].text("上海市金山区朱泾镇东风路12号3室") == "上海市金山区朱泾镇***"
    assert MASKS["address"].text("上海市金山区石化街道卫零路1号") == "上海市金山区石化街道***"
    assert MASKS["address"].text("某路1号") == "某路1***"
    assert mask_id_number("31011619900101") == "31011619900101"  # not an ID number: shown as is


def test_free_text_is_masked_in_python_and_in_polars_alike() -> None:
    text = "号码310116199001010403,11010519491231002X的人，账号6222020000001234567，电话15912346236，批次 20261130，1000 元"
    expected = "号码310116********0403,110105********002X的人，账号****4567，电话159****6236，批次 20261130，1000 元"
    assert mask_text(text) == expected
    frame = pl.DataFrame({"v": [text, None]})
    assert frame.select(mask(pl.col("v"), "text")).to_series().to_list() == [expected, None]


def test_a_text_never_written_comes_back_as_it_is() -> None:
    # no reason, no detail: the callers pass it straight in, as the column mask does with a null
    assert mask_text(None) is None
    assert mask_text("") == ""


def test_personal_columns_are_declared_with_the_schema_and_have_a_mask() -> None:
    persons = schema.TABLES["persons"]
    declared = {c.name: c.personal for c in persons.columns if c.personal}
    assert declared == {"id_number": "id_number", "name": "name", "phone": "phone", "address": "address",
                        "bank_account": "bank_account"}  # fmt: skip
    for table in schema.TABLES.values():
        for col in table.columns:
            assert col.personal is None or col.personal in MASKS, (table.name, col.name)
            if col.id_number:
                assert col.personal is not None, (table.name, col.name)
