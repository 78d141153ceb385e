"""The registry's tables, declared once.

This module is the single source of truth for the registry database: the SQLAlchemy tables
(:mod:`jiuye.registry.models`), the Alembic migrations, the import templates and validation, and the
export all read :data:`TABLES`.  Nothing here touches a database.

Vocabulary
----------
*logical column*: a column as users see it in a file and as the import / export frames carry it
(``person`` = the person's ID number, ``employer`` = the employer's credit code, ``base_fen`` = money in
integer fen).  *stored column*: the database column (:attr:`Column.db_name`).  A reference column
``person`` is stored as the integer foreign key ``person_id`` to ``persons.id``; every other column is
stored under its own name.  Every table also has a surrogate primary key ``id`` and the audit columns
``created_at``, ``updated_at``, ``created_by``, ``updated_by`` (not part of the logical columns).

Column types (:attr:`Column.type`)
----------------------------------
``str`` text · ``date`` a day (``YYYY-MM-DD``) · ``month`` a month (``YYYY-MM`` in files, stored as the
date of its first day) · ``bool`` (``是/否``) · ``int`` · ``money`` (integer fen in the database and in
frames, yuan with two decimals in files) · ``enum`` (one of ``ENUMS[column.enum]``, written in files as
its Chinese label from :data:`ENUM_LABELS`; the code is accepted too) · ``town`` (a 街镇 name of the
district named in :attr:`Column.district_column`, checked against the ``towns`` table).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from jiuye.rules.facts import ENUMS as FACT_ENUMS
from jiuye.rules.money import fen_to_plain_text
from jiuye.rules.shared import DISTRICT_NAMES, EMPLOYER_TYPE_ALIASES, EMPLOYER_TYPE_LABELS

ColumnType = Literal["str", "date", "month", "bool", "int", "money", "enum", "town"]

AUDIT_COLUMNS: tuple[str, ...] = ("created_at", "updated_at", "created_by", "updated_by")

# --- enumerations ---------------------------------------------------------------------------------

ENUMS: dict[str, tuple[str, ...]] = {
    **FACT_ENUMS,
    "town_kind": ("subdistrict", "town", "township", "development_zone"),
    "village_kind": ("village", "residential_committee"),
}

ENUM_LABELS: dict[str, dict[str, str]] = {
    "gender": {"male": "男", "female": "女"},
    "district": dict(DISTRICT_NAMES),
    "education_level": {
        "secondary_vocational": "中职", "junior_college": "大专", "bachelor": "本科", "master": "硕士",
        "doctor": "博士",
    },
    "status_kind": {
        "employment_hardship": "就业困难人员", "min_living_allowance_family": "低保家庭",
        "low_income_family": "低收入家庭", "disabled": "残疾人", "zero_employment_family": "零就业家庭",
        "paired_region_rural_labor": "对口帮扶地区农村劳动力",
    },
    "scheme": {"urban_employee": "城镇职工", "flexible": "灵活就业", "other": "其他"},
    "certificate_level": {
        "senior_technician": "高级技师", "technician": "技师", "senior": "高级工", "intermediate": "中级工",
        "junior": "初级工",
    },
    "employer_type": dict(EMPLOYER_TYPE_LABELS),
    "employer_size": {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"},
    "organization_kind": {
        "internship_base": "见习基地", "training_institution": "培训机构", "incubation_base": "创业孵化基地",
        "guidance_station": "院校创业指导站", "hr_agency": "人力资源服务机构",
        "competition_host": "创业大赛主办方",        "startup": "创业项目",
    },
    "grade": {
        "A": "A", "B": "B", "C": "C", "D": "D", "fail": "不合格", "not_participated": "未参评",
    },
    "town_kind": {"subdistrict": "街道", "town": "镇", "township": "乡", "development_zone": "开发区"},
    "village_kind": {"village": "村委会", "residential_committee": "居委会"},
}  # fmt: skip

BOOL_TRUE: frozenset[str] = frozenset({"是", "true", "True", "TRUE", "1", "Y", "y", "yes", "是的", "√"})
BOOL_FALSE: frozenset[str] = frozenset({"否", "false", "False", "FALSE", "0", "N", "n", "no", "×"})


def enum_label(enum: str, value: str) -> str:
    """The Chinese label of an enum code (the code itself when it has no label)."""
    return ENUM_LABELS.get(enum, {}).get(value, value)


# Older labels still accepted on import (code by label): the files of earlier releases keep importing.
ENUM_ALIASES: dict[str, dict[str, str]] = {"employer_type": EMPLOYER_TYPE_ALIASES}


def parse_enum(enum: str, text: str) -> str | None:
    """The enum code for ``text`` (a code or its Chinese label, surrounding blanks ignored), else None."""
    text = text.strip()
    if text in ENUMS[enum]:
        return text
    if text in ENUM_ALIASES.get(enum, {}):
        return ENUM_ALIASES[enum][text]
    for code, label in ENUM_LABELS.get(enum, {}).items():
        if text == label:
            return code
    if enum == "district":  # 金山 for 金山区
        for code, label in ENUM_LABELS["district"].items():
            if text and label.startswith(text) and len(text) >= 2:
                return code
    return None


# --- value conversion between files and frames -------------------------------------------------------

_MONTH_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> dt.date | None:
    """``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305`` → date; else None."""
    text = text.strip()
    if len(text) >= 10 and text[10:11] in (" ", "T") and _DATE_RE.match(text[:10]):
        text = text[:10]  # an Excel datetime written as text
    m = _DATE_RE.match(text)
    if m is None and len(text) == 8 and text.isdigit():
        m = re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_month(text: str) -> dt.date | None:
    """``2024-03``, ``2024/3``, ``2024年3月``, ``202403`` (or a full date on the 1st) → first day of month."""
    text = text.strip()
    m = _MONTH_RE.match(text)
    if m is None and len(text) == 6 and text.isdigit():
        m = re.match(r"^(\d{4})(\d{2})$", text)
    if m is not None:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return None
    day = parse_date(text)
    if day is not None and day.day == 1:
        return day
    return None


def parse_money_fen(text: str) -> int | None:
    """Yuan text (``7310``, ``7,310.50``, ``¥7310.5``) → integer fen; None when not an amount in whole fen."""
    text = text.strip().replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元")
    try:
        yuan = Decimal(text)
    except InvalidOperation:
        return None
    if not yuan.is_finite():
        return None
    fen = yuan * 100
    if fen != fen.to_integral_value():
        return None
    return int(fen)


def format_money(fen: int) -> str:
    """Integer fen → yuan text with two decimals (``731000`` → ``7310.00``)."""
    return fen_to_plain_text(fen)


def parse_bool(text: str) -> bool | None:
    text = text.strip()
    if text in BOOL_TRUE:
        return True
    if text in BOOL_FALSE:
        return False
    return None


# --- declarations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A logical column that names a row of another table by that table's (single-column) natural key."""

    table: str
    column: str  # the natural-key column of ``table`` (``id_number``, ``credit_code``, ``org_id``, …)


@dataclass(frozen=True)
class Column:
    name: str  # logical name (frames, templates' machine name)
    type: ColumnType
    header: str  # Chinese header in import templates and exports
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers accepted on import
    enum: str | None = None  # for type "enum": key of ENUMS
    ref: Reference | None = None  # stored as ``<name>_id`` → ``<ref.table>.id``
    district_column: str | None = None  # for type "town": the column holding its district
    length: int | None = None  # maximum length of a str column (fixed-size identifiers)
    id_number: bool = False  # holds a resident ID number: checked on import, masked on export
    credit_code: bool = False  # holds a unified social credit code: checked on import
    past_only: bool = False  # a date of something that has happened (birth, death): never after today
    mask: str | None = None  # personal data: the kind in jiuye.rules.identifiers.MASKS it is shown as
    description: str = ""
    # money columns: the plausible maximum in yuan (import rejects a larger amount with the row named)
    max_yuan: int | None = None
    # plausibility check on import (issue 9): a bank account, a person's name, an organisation's name
    plausible: Literal["bank_account", "person_name", "org_name"] | None = None

    @property
    def personal(self) -> str | None:
        """How this column is masked outside the registry (None: not personal data).

        The masking policy (docs/personal-data.md): which columns are personal data is declared here,
        with the schema; how each kind is masked, in :data:`jiuye.rules.identifiers.MASKS`.
        """
        if self.mask is not None:
            return self.mask
        return "id_number" if self.id_number else None

    @property
    def db_name(self) -> str:
        return f"{self.name}_id" if self.ref is not None else self.name

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header accepted for this column on import: the header, its aliases, the logical name."""
        return (self.header, *self.aliases, self.name)


@dataclass(frozen=True)
class Scope:
    """How ``--district`` / ``--town`` filters apply to a table.

    Either the table has its own ``district`` / ``town`` columns, or it belongs to the row named by its
    reference column ``via`` (a person, an employer, an organisation) and is filtered like that row.
    """

    district: str | None = None
    town: str | None = None
    via: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str  # Chinese title (sheet name, ``jiuye tables``)
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key (logical column names); rows are exported sorted by it
    scope: Scope = field(default_factory=Scope)
    reference_data: bool = False  # loaded by ``jiuye db upgrade`` (districts, towns)
    description: str = ""
    # False for tables other rooms declare for their results (entitlements, payments, flags, audit
    # events): they export like any table but are written only by their services, never by file import
    importable: bool = True

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name}.{name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def references(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.ref is not None)

    def header_map(self) -> dict[str, str]:
        """Every accepted header (and logical name) → logical column name, for import header matching."""
        out: dict[str, str] = {}
        for col in self.columns:
            for h in col.headers:
                out.setdefault(_normalise_header(h), col.name)
        return out

    def match_headers(self, headers: Iterable[str]) -> dict[str, str]:
        """Map the headers of a file to logical columns: ``{file header: column name}`` (unknown left out)."""
        lookup = self.header_map()
        return {h: lookup[_normalise_header(h)] for h in headers if _normalise_header(h) in lookup}


def _normalise_header(header: str) -> str:
    """Headers match ignoring blanks, full/half-width brackets, a trailing ``*`` (required mark) and case."""
    h = str(header).strip().rstrip("*＊").strip()
    h = h.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return h.lower()


# Column helpers keep the table declarations short.
def _person(header: str = "身份证号码") -> Column:
    return Column(
        "person", "str", header, required=True, aliases=("公民身份号码", "身份证号", "证件号码"),
        ref=Reference("persons", "id_number"), length=18, id_number=True,
        description="人员的身份证号码（须已在人员表中）",
    )  # fmt: skip


def _employer(header: str, required: bool = True) -> Column:
    return Column(
        "employer", "str", header, required=required, aliases=("单位统一社会信用代码", "统一社会信用代码"),
        ref=Reference("employers", "credit_code"), length=18, credit_code=True,
        description="用人单位的统一社会信用代码（须已在用人单位表中）",
    )  # fmt: skip


def _org(
    name: str = "org",
    header: str = "机构编号",
    required: bool = True,
    aliases: tuple[str, ...] = ("机构代码",),
    description: str = "机构编号（须已在机构表中）",
) -> Column:
    return Column(
        name, "str", header, required=required, ref=Reference("organizations", "org_id"), aliases=aliases,
        description=description,
    )  # fmt: skip


def _date(
    name: str, header: str, required: bool = False, aliases: tuple[str, ...] = (), d: str = "",
    past_only: bool = False,
) -> Column:
    return Column(name, "date", header, required=required, aliases=aliases, description=d, past_only=past_only)


def _district(name: str = "district", header: str = "所属区", required: bool = True, d: str = "") -> Column:
    return Column(
        name, "enum", header, required=required, enum="district", aliases=("区", "所在区"),
        description=d or "上海市的区（如“金山区”）",
    )  # fmt: skip


def _town(name: str, header: str, district_column: str, required: bool = False) -> Column:
    return Column(
        name, "town", header, required=required, district_column=district_column,
        aliases=("街镇", "所在街镇", "镇"),
        description="街道/镇（须为该区的街镇）",
    )  # fmt: skip


_BANK = Column(
    "bank_account", "str", "银行账号", aliases=("银行卡号", "账号"), plausible="bank_account", mask="bank_account",
    description="补贴发放账户：12–19位数字（银联卡号须通过校验位检查）；请以文本填写",
)  # fmt: skip

_TABLE_LIST: tuple[Table, ...] = (
    # --- reference data ---
    Table(
        "districts", "区", reference_data=True, key=("district",), scope=Scope(district="district"),
        columns=(
            Column("district", "enum", "区", required=True, enum="district", aliases=("区代码",)),
            Column("name", "str", "区名称", required=True),
            Column("admin_code", "str", "行政区划代码", required=True, length=6,
                   description="身份证号码前六位"),
        ),
        description="上海市16个区（参考数据，由 jiuye db upgrade 载入）",
    ),
    Table(
        "towns", "街镇", reference_data=True, key=("district", "name"), scope=Scope("district", "name"),
        columns=(
            _district(),
            Column("name", "str", "街镇", required=True, aliases=("街镇名称", "街道/镇")),
            Column("kind", "enum", "类型", required=True, enum="town_kind"),
        ),
        description="金山区、崇明区的街道、镇、乡（参考数据，由 jiuye db upgrade 载入）",
    ),
    Table(
        "villages", "村居委", key=("district", "town", "name"), scope=Scope("district", "town"),
        columns=(
            _district(),
            _town("town", "所属街镇", "district", required=True),
            Column("name", "str", "村居委名称", required=True, aliases=("村居委", "村/居委", "名称")),
            Column("kind", "enum", "类型", required=True, enum="village_kind"),
        ),
        description="村委会、居委会",
    ),
    # --- people ---
    Table(
        "persons", "人员", key=("id_number",), scope=Scope("hukou_district", "hukou_town"),
        columns=(
            Column("id_number", "str", "身份证号码", required=True, length=18, id_number=True,
                   aliases=("公民身份号码", "身份证号", "证件号码"),
                   description="18位居民身份证号码（GB 11643 校验）"),
            Column("name", "str", "姓名", required=True, plausible="person_name", mask="name"),
            _date("birth_date", "出生日期", required=True, d="须与身份证号码一致", past_only=True),
            Column("gender", "enum", "性别", required=True, enum="gender", description="须与身份证号码一致"),
            _district("hukou_district", "户籍所在区", required=False,
                      d="户籍所在的上海市区；空 = 非本市户籍"),
            _town("hukou_town", "户籍所在街镇", "hukou_district"),
            Column("hukou_village", "str", "户籍所在村居委", aliases=("村居委",)),
            Column("hukou_agricultural", "bool", "原农业户籍", required=True,
                   aliases=("是否农业户籍", "农业户籍"), description="原农业户籍（含被征地人员）"),
            _district("origin_district", "生源地", required=False, d="生源地/籍贯所在区；空 = 同户籍区"),
            Column("phone", "str", "联系电话", aliases=("手机号码", "电话"), mask="phone"),
            Column("address", "str", "居住地址", aliases=("地址", "联系地址"), mask="address"),
            _BANK,
            _date("died_on", "死亡日期", d="死亡后不再发放", past_only=True),
            _date("hukou_moved_out_on", "户籍迁出日期", d="户籍迁出本区的日期", past_only=True),
        ),
        description="本区登记的人员",
    ),
    Table(
        "education", "学历", key=("person", "level", "graduation_date"), scope=Scope(via="person"),
        columns=(
            _person(),
            Column("level", "enum", "学历", required=True, enum="education_level", aliases=("学历层次",)),
            Column("full_time", "bool", "全日制", required=True, aliases=("是否全日制",)),
            _date("graduation_date", "毕业日期", required=True, aliases=("毕业时间",)),
            _district("school_district", "院校所在区", required=False, d="院校所在的上海市区；空 = 外省市"),
            Column("school", "str", "毕业院校", aliases=("院校名称", "学校")),
        ),
    ),
    Table(
        "statuses", "认定身份", key=("person", "kind", "start"), scope=Scope(via="person"),
        columns=(
            _person(),
            Column("kind", "enum", "身份类别", required=True, enum="status_kind", aliases=("身份",)),
            _date("start", "认定日期", required=True, aliases=("开始日期", "起始日期")),
            _date("end", "终止日期", aliases=("结束日期",), d="空 = 仍有效"),
        ),
        description="就业困难人员、低保家庭等经认定的身份",
    ),
    Table(
        "unemployment_registrations", "失业登记", key=("person", "start"), scope=Scope(via="person"),
        columns=(
            _person(),
            _date("start", "失业登记日期", required=True, aliases=("登记日期",)),
            _date("end", "注销日期", aliases=("失业登记注销日期", "结束日期"), d="空 = 仍在失业登记"),
        ),
    ),
    Table(
        "flexible_employment", "灵活就业登记", key=("person", "registered_on"), scope=Scope(via="person"),
        columns=(
            _person(),
            _date("registered_on", "登记日期", required=True, aliases=("灵活就业登记日期",)),
            _date("ended_on", "终止日期", aliases=("注销日期",), d="空 = 仍在灵活就业"),
        ),
    ),
    Table(
        "contracts", "劳动合同", key=("person", "employer", "start"), scope=Scope(via="person"),
        columns=(
            _person(),
            _employer("用人单位统一社会信用代码"),
            _date("start", "合同开始日期", required=True, aliases=("开始日期", "合同起始日期")),
            _date("end", "合同终止日期", aliases=("终止日期", "结束日期"), d="空 = 无固定期限/仍在履行"),
            Column("registered", "bool", "已就业登记", required=True, aliases=("是否登记", "用工登记")),
            _org("referred_by", "推荐机构编号", required=False, aliases=("介绍机构编号",),
                 description="推荐就业的人力资源服务机构编号；空 = 无"),
        ),
    ),
    Table(
        "social_insurance", "社会保险缴费", key=("person", "month", "employer", "scheme"),
        scope=Scope(via="person"),
        columns=(
            _person(),
            Column("month", "month", "缴费月份", required=True, aliases=("月份", "费款所属期")),
            _employer("缴费单位统一社会信用代码", required=False),
            Column("scheme", "enum", "险种", required=True, enum="scheme", aliases=("参保类型",)),
            Column("base_fen", "money", "缴费基数（元）", required=True, aliases=("缴费基数",), max_yuan=200_000),
            Column("paid", "bool", "已缴费", required=True, aliases=("是否缴费", "缴费状态")),
        ),
        description="按月社会保险缴费记录",
    ),
    Table(
        "internships", "就业见习", key=("person", "base", "start"), scope=Scope(via="person"),
        columns=(
            _person(),
            _org("base", "见习基地编号", aliases=("基地编号",)),
            _date("start", "见习开始日期", required=True, aliases=("开始日期",)),
            _date("end", "见习结束日期", required=True, aliases=("结束日期",)),
            _date("contract_signed_on", "留用签约日期", aliases=("签约日期",),
                  d="见习后与基地签订合同的日期"),
        ),
    ),
    Table(
        "certificates", "职业资格证书", key=("person", "level", "obtained_on"), scope=Scope(via="person"),
        columns=(
            _person(),
            Column("level", "enum", "证书等级", required=True, enum="certificate_level", aliases=("等级",)),
            _date("obtained_on", "发证日期", required=True, aliases=("取证日期",)),
            _org("training_institution", "培训机构编号", required=False, description="培训机构编号；空 = 无"),
            Column("occupation", "str", "职业（工种）", aliases=("职业", "工种")),
        ),
    ),
    Table(
        "skill_evaluations", "技能评价", key=("person", "level", "date"), scope=Scope(via="person"),
        columns=(
            _person(),
            Column("level", "enum", "评价等级", required=True, enum="certificate_level", aliases=("等级",)),
            _date("date", "评价日期", required=True),
            Column("fee_fen", "money", "评价费用（元）", required=True, aliases=("评价费用", "费用"), max_yuan=50_000),
        ),
    ),
    # --- employers and organisations ---
    Table(
        "employers", "用人单位", key=("credit_code",), scope=Scope("district", "town"),
        columns=(
            Column("credit_code", "str", "统一社会信用代码", required=True, length=18, credit_code=True,
                   aliases=("信用代码", "单位统一社会信用代码"), description="GB 32100 校验"),
            Column("name", "str", "单位名称", required=True, aliases=("名称",), plausible="org_name"),
            Column("type", "enum", "单位类型", required=True, enum="employer_type", aliases=("类型",)),
            _district("district", "注册所在区"),
            _town("town", "所在街镇", "district"),
            Column("size", "enum", "企业规模", required=True, enum="employer_size", aliases=("规模",)),
            Column("state_owned", "bool", "国有企业", required=True, aliases=("是否国有",)),
            Column("industry", "str", "所属行业", aliases=("行业",)),
            _BANK,
            _date("deregistered_on", "注销日期", aliases=("注销时间",), d="单位注销的日期；注销当月以后不再发放（政策目录 G13）"),
        ),
    ),
    Table(
        "organizations", "机构", key=("org_id",), scope=Scope("district", "town"),
        columns=(
            Column("org_id", "str", "机构编号", required=True, aliases=("机构代码",),
                   description="区内唯一的机构编号"),
            Column("name", "str", "机构名称", required=True, aliases=("名称",), plausible="org_name"),
            Column("kind", "enum", "机构类型", required=True, enum="organization_kind", aliases=("类型",)),
            _district("district", "所在区"),
            _town("town", "所在街镇", "district"),
            Column("quality_certified", "bool", "市级品质认证", aliases=("品质机构",),
                   description="人力资源服务机构：市级认定的品质机构"),
            Column("credit_code", "str", "统一社会信用代码", length=18, credit_code=True,
                   aliases=("信用代码",)),
            _BANK,
            _date("deregistered_on", "注销日期", aliases=("注销时间",), d="机构注销的日期；注销当月以后不再发放（政策目录 G13）"),
        ),
        description="见习基地、培训机构、孵化基地、指导站、人力资源服务机构、大赛主办方、创业项目",
    ),
    Table(
        "org_evaluations", "机构评估", key=("org", "year"), scope=Scope(via="org"),
        columns=(
            _org(),
            Column("year", "int", "评估年度", required=True, aliases=("年度",)),
            Column("grade", "enum", "评估等级", required=True, enum="grade", aliases=("等级",)),
            _date("published_on", "公布日期", required=True),
        ),
    ),
    Table(
        "org_city_subsidies", "市级补贴", key=("org", "year"), scope=Scope(via="org"),
        columns=(
            _org(),
            Column("year", "int", "补贴年度", required=True, aliases=("年度",)),
            Column("amount_fen", "money", "补贴金额（元）", required=True, aliases=("金额",), max_yuan=100_000_000),
            _date("granted_on", "拨付日期", required=True),
        ),
        description="市级对院校创业指导站的服务成效补贴",
    ),
    Table(
        "org_events", "创业大赛", key=("event_id",), scope=Scope(via="org"),
        columns=(
            Column("event_id", "str", "活动编号", required=True, aliases=("大赛编号",)),
            _org(header="主办机构编号"),
            Column("name", "str", "活动名称", aliases=("大赛名称",)),
            _date("held_on", "举办日期", required=True),
            Column("cost_fen", "money", "活动费用（元）", required=True, aliases=("费用",), max_yuan=10_000_000),
        ),
        description="区人社部门主办的创业大赛等活动",
    ),
    Table(
        "org_awards", "大赛获奖", key=("event", "place", "winner"), scope=Scope(via="winner"),
        columns=(
            Column("event", "str", "活动编号", required=True, ref=Reference("org_events", "event_id"),
                   aliases=("大赛编号",)),
            Column("place", "int", "名次", required=True),
            _org("winner", "获奖机构编号", aliases=("获奖项目编号",)),
        ),
    ),
    Table(
        "org_landings", "创业项目落地", key=("org",), scope=Scope(via="org"),
        columns=(
            _org(header="项目编号", aliases=("机构编号",)),
            _date("registered_on", "落地注册日期", required=True),
            _date("award_on", "获奖日期", required=True),
            Column("approved_amount_fen", "money", "核定金额（元）", required=True, aliases=("核定金额",),
                   max_yuan=10_000_000),
            Column("operating_normally", "bool", "正常经营", required=True),
            Column("employs_jinshan_hukou", "bool", "吸纳本区户籍人员", required=True),
        ),
    ),
)  # fmt: skip

TABLES: dict[str, Table] = {t.name: t for t in _TABLE_LIST}


def register(table: Table) -> Table:
    """Declare another table (later issues: entitlements, payments, flags, audit_events).

    The table's model is built by :mod:`jiuye.registry.models` when it is imported after the call, and
    export / ``jiuye tables`` pick it up; its migration is a new Alembic revision.
    """
    if table.name in TABLES and TABLES[table.name] != table:
        raise ValueError(f"table {table.name} already declared differently")
    _check(table)
    TABLES[table.name] = table
    return table


def _check(table: Table) -> None:
    names = table.column_names
    if len(set(names)) != len(names):
        raise ValueError(f"{table.name}: duplicate column")
    for k in table.key:
        if k not in names:
            raise ValueError(f"{table.name}: key column {k} missing")
    for col in table.columns:
        if col.type == "enum" and (col.enum is None or col.enum not in ENUMS):
            raise ValueError(f"{table.name}.{col.name}: unknown enum {col.enum}")
        if col.type == "town" and col.district_column not in names:
            raise ValueError(f"{table.name}.{col.name}: district column missing")
        if col.ref is not None and col.ref.table in TABLES:
            target = TABLES[col.ref.table]
            if target.key != (col.ref.column,):
                raise ValueError(f"{table.name}.{col.name}: must reference a single-column natural key")
        if table.importable and col.type == "money" and col.max_yuan is None:
            raise ValueError(f"{table.name}.{col.name}: an importable money column declares max_yuan")
    if table.scope.via is not None and table.column(table.scope.via).ref is None:
        raise ValueError(f"{table.name}: scope via a non-reference column")


for _t in _TABLE_LIST:
    _check(_t)


def dependency_order() -> list[str]:
    """Table names with every referenced table before the tables that reference it (import order)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for col in TABLES[name].references:
            assert col.ref is not None
            if col.ref.table != name:
                visit(col.ref.table)
        done.append(name)

    for name in TABLES:
        visit(name)
    return done
