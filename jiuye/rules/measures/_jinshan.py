"""What every Jinshan (金就办〔2023〕1号) measure shares."""

from __future__ import annotations

import polars as pl

from jiuye.rules.facts import DISTRICT_NAMES
from jiuye.rules.measure import JS_DOC, Condition, detail

DISTRICT = "jinshan"

# G3, 金就办〔2023〕1号 七(一)：“本意见中的用人单位不包括机关、事业单位、社工组织、非正规劳动组织、
# 公益性劳动组织、劳务派遣公司，有特殊规定的除外。”
EXCLUDED_EMPLOYER_TYPES: tuple[str, ...] = (
    "government_agency", "public_institution", "social_work_org", "informal_labor_org",
    "public_welfare_labor_org", "labor_dispatch",
)  # fmt: skip
EXCLUSION_CLAUSE = f"{JS_DOC} 七(一)"

EMPLOYER_TYPE_LABELS = {
    "enterprise": "企业", "government_agency": "机关", "public_institution": "事业单位", "social_work_org": "社工组织",
    "informal_labor_org": "非正规劳动组织", "public_welfare_labor_org": "公益性劳动组织",
    "labor_dispatch": "劳务派遣公司", "social_organization": "社会组织",
}  # fmt: skip


def employer_not_excluded(type_column: str = "employer_type") -> Condition:
    """G3 as a named condition for every JS measure that names a 用人单位."""
    return Condition(
        key="employer_not_excluded",
        text="用人单位不属于机关、事业单位、社工组织、非正规劳动组织、公益性劳动组织、劳务派遣公司",
        clause=EXCLUSION_CLAUSE,
        expr=pl.col(type_column).is_not_null() & ~pl.col(type_column).is_in(list(EXCLUDED_EMPLOYER_TYPES)),
        detail=detail("单位类型：{}", pl.col(type_column).replace(EMPLOYER_TYPE_LABELS)),
    )


def employer_in_jinshan(district_column: str = "employer_district", clause: str = "") -> Condition:
    return Condition(
        key="employer_in_jinshan",
        text="本区（金山）用人单位",
        clause=clause,
        expr=pl.col(district_column) == DISTRICT,
        detail=detail("单位所在区：{}", pl.col(district_column).replace(DISTRICT_NAMES)),
    )
