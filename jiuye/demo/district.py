"""Synthetic demo district: a seeded, columnar population generator (issue 3 item 4, issue 2 item 6).

``generate(DemoConfig(district="jinshan", persons=1_000_000, seed=1))`` returns a :class:`DemoData`:

- ``facts``: a :class:`jiuye.rules.facts.Facts` — exactly what the rules engine reads;
- ``extras``: the registry-only columns (names, phones, addresses, towns, industries, bank accounts,
  credit codes) keyed by facts id, joined into the registry tables by :mod:`jiuye.demo.files`;
- ``situations``: every deliberately planted subject with the measure it exercises and the expected
  outcome (see :mod:`jiuye.demo.situations` and docs/demo-data.md).

Everything is whole-column NumPy/Polars work: no Python loop over people, months or employers.  Faker
is used only to build small pools (surnames, given names, road names, company words) once, from the
seed; the columns are then sampled from the pools with NumPy.  The same config gives identical frames:
every component draws from its own random stream derived from ``(seed, component name)``, so adding a
component never shifts the others.

Background population (distributions documented in docs/demo-data.md): age pyramid of a Shanghai outer
district, hukou mix (mostly local, some other districts, some from other provinces), agricultural
origin, education, labour status, employers of every type and size inside and outside the district,
``HISTORY_MONTHS`` months of social insurance ending the month before the reference month, spells of
registered unemployment, flexible-employment registrations, internships, certificates, skill
evaluations, organisations of every kind, and some past payments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from jiuye.demo import situations as planting
from jiuye.demo.base import (
    AGE_BINS,
    AGRICULTURAL_SHARE,
    CERTIFICATE_LEVELS,
    CERTIFICATE_MIX,
    EDUCATION_LEVELS,
    EDUCATION_MIX_OLD,
    EDUCATION_MIX_YOUNG,
    EMPLOYER_DISTRICT_SHARE,
    EMPLOYER_SIZES,
    EMPLOYER_TYPES,
    EVALUATION_FEE_FEN,
    GRADUATION_AGE,
    HISTORY_MONTHS,
    HUKOU_MIX,
    LABOUR_MIX,
    OUTSIDE_AREA_CODES,
    PAIRED_AREA_CODES,
    TOWNS,
    DemoConfig,
    DemoData,
    choice,
    days,
    min_base_fen_expr,
    np_date,
    padded_ids,
    rng_for,
    to_date_series,
)
from jiuye.rules.dates import add_months_expr, add_years_expr
from jiuye.rules.facts import SCHEMAS, Facts, conform, empty
from jiuye.rules.identifiers import credit_serial, with_credit_check, with_id_check
from jiuye.rules.shared import (
    ADMIN_CODES,
    DISTRICT_NAMES,
    DISTRICTS,
)


def _chars_to_series(name: str, codes: np.ndarray) -> pl.Series:
    """(n, k) uint8 ASCII matrix → String series (one row per string), without a Python loop."""
    width = codes.shape[1]
    fixed = np.ascontiguousarray(codes).view(f"S{width}").ravel()
    return pl.Series(name, fixed).cast(pl.String)


def id_numbers(area: np.ndarray, ymd: np.ndarray, order: np.ndarray) -> pl.Series:
    """GB 11643 ID numbers from integer area codes (6 digits), birth dates (YYYYMMDD) and order codes."""
    first17 = area.astype(np.int64) * 10**11 + ymd.astype(np.int64) * 1000 + order.astype(np.int64)
    frame = pl.DataFrame({"f": first17}, schema={"f": pl.Int64})
    return frame.select(with_id_check(pl.col("f").cast(pl.String).str.zfill(17)).alias("id_number")).to_series()


def credit_codes(prefix: np.ndarray, admin: np.ndarray, serial: np.ndarray) -> pl.Series:
    """GB 32100 codes: ``prefix`` = registrar*10+kind (e.g. 91), 6-digit admin code, 9-char base-31 serial."""
    frame = pl.DataFrame(
        {"p": prefix.astype(np.int64), "a": admin.astype(np.int64), "s": serial.astype(np.int64)},
        schema={"p": pl.Int64, "a": pl.Int64, "s": pl.Int64},
    )
    first17 = pl.concat_str(
        [pl.col("p").cast(pl.String).str.zfill(2), pl.col("a").cast(pl.String).str.zfill(6), credit_serial(pl.col("s"))]
    )
    return frame.select(with_credit_check(first17).alias("credit_code")).to_series()


CREDIT_PREFIX = {  # registrar (登记管理部门) and kind (机构类别) of GB 32100 by employer type
    "enterprise": 91, "government_agency": 11, "public_institution": 12, "social_work_org": 52,
    "informal_labor_org": 59, "public_welfare_labor_org": 59, "labor_dispatch": 91,
    "social_organization": 51,
}  # fmt: skip


# --------------------------------------------------------------------------- Faker pools
@dataclass(frozen=True)
class Pools:
    surnames: tuple[str, ...]
    surname_weights: tuple[float, ...]
    given_male: tuple[str, ...]
    given_female: tuple[str, ...]
    roads: tuple[str, ...]
    company_words: tuple[str, ...]


@cache
def pools(seed: int) -> Pools:
    """Name, road and company-word pools, built once from Faker zh_CN with the seed."""
    from faker import Faker
    from faker.providers.company.zh_CN import Provider as CompanyProvider
    from faker.providers.person.zh_CN import Provider as PersonProvider

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = tuple(PersonProvider.last_names.keys())
    weights = tuple(float(w) for w in PersonProvider.last_names.values())
    roads = tuple(sorted({fake.street_name() for _ in range(400)}))
    words = tuple(sorted({w for w in CompanyProvider.company_prefixes if 1 < len(w) <= 3}))
    return Pools(
        surnames=surnames,
        surname_weights=weights,
        given_male=tuple(PersonProvider.first_names_male),
        given_female=tuple(PersonProvider.first_names_female),
        roads=roads,
        company_words=words,
    )


def sample_strings(rng: np.random.Generator, pool: tuple[str, ...], n: int, name: str) -> pl.Series:
    return pl.Series(name, pool).gather(rng.integers(0, len(pool), size=n))


def chinese_names(rng: np.random.Generator, gender: pl.Series, p: Pools) -> pl.Series:
    """Surname (weighted by frequency) + a given name of the person's gender: one of Faker's given names,
    or (62 %) two single characters from them."""
    n = len(gender)
    surname = pl.Series(p.surnames).gather(choice(rng, n, p.surname_weights))
    male = (gender == "male").to_numpy()

    def pick(pool: tuple[str, ...]) -> np.ndarray:
        return pl.Series(pool).gather(rng.integers(0, len(pool), n)).to_numpy()

    single_m = tuple(g for g in p.given_male if len(g) == 1)
    single_f = tuple(g for g in p.given_female if len(g) == 1)
    whole = np.where(male, pick(p.given_male), pick(p.given_female))
    first = np.where(male, pick(single_m), pick(single_f))
    second = np.where(male, pick(single_m), pick(single_f))
    two = rng.random(n) < 0.62
    frame = pl.DataFrame({"s": surname, "a": np.where(two, first, whole), "b": np.where(two, second, "")})
    return frame.select(pl.concat_str(["s", "a", "b"]).alias("name")).to_series()


def digit_strings(rng: np.random.Generator, n: int, width: int, name: str) -> pl.Series:
    codes = rng.integers(ord("0"), ord("9") + 1, size=(n, width), dtype=np.uint8)
    return _chars_to_series(name, codes)


def phones(rng: np.random.Generator, n: int) -> pl.Series:
    prefixes = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180",
                "181", "186", "187", "188", "189", "199")  # fmt: skip
    frame = pl.DataFrame(
        {"p": sample_strings(rng, prefixes, n, "p"), "d": digit_strings(rng, n, 8, "d")}
    )
    return frame.select(pl.concat_str(["p", "d"]).alias("phone")).to_series()


def bank_accounts(rng: np.random.Generator, n: int) -> pl.Series:
    bins = ("622202", "622848", "621700", "622908", "621226", "622588", "603367")  # ICBC, ABC, CCB, …
    frame = pl.DataFrame(
        {"p": sample_strings(rng, bins, n, "p"), "d": digit_strings(rng, n, 12, "d")}
    )
    from jiuye.rules.identifiers import luhn_check_digit

    body = pl.concat_str(["p", "d"])  # 18 digits + the Luhn check digit UnionPay cards carry
    return frame.select(pl.concat_str([body, luhn_check_digit(body)]).alias("bank_account")).to_series()


def street_addresses(rng: np.random.Generator, district: str, town: pl.Series, p: Pools) -> pl.Series:
    n = len(town)
    frame = pl.DataFrame(
        {
            "town": town,
            "road": sample_strings(rng, p.roads, n, "road"),
            "no": rng.integers(1, 1800, n),
            "room": rng.integers(101, 2403, n),
        }
    )
    prefix = "上海市" + DISTRICT_NAMES[district]
    return frame.select(
        pl.concat_str(
            [pl.lit(prefix), pl.col("town").fill_null(""), pl.col("road"), pl.col("no").cast(pl.String),
             pl.lit("号"), pl.col("room").cast(pl.String), pl.lit("室")]
        ).alias("address")
    ).to_series()  # fmt: skip


def sample_towns(rng: np.random.Generator, district: str, n: int) -> pl.Series:
    names = tuple(t for t, _ in TOWNS[district])
    weights = tuple(w for _, w in TOWNS[district])
    return pl.Series("town", names).gather(choice(rng, n, weights))


def keep_where(values: pl.Series, keep: np.ndarray) -> pl.Series:
    """``values`` where ``keep``, null elsewhere (a String series; no object arrays)."""
    frame = pl.DataFrame({"v": values.cast(pl.String), "k": keep})
    return frame.select(pl.when(pl.col("k")).then(pl.col("v")).alias(values.name)).to_series()


def unique_serials(rng: np.random.Generator, n: int, base: int) -> np.ndarray:
    """``n`` distinct, scattered serial numbers: one random pick in each of ``n`` disjoint strides."""
    stride = 9973
    return base + np.arange(n, dtype=np.int64) * stride + rng.integers(0, stride, n)


# --------------------------------------------------------------------------- frame helpers
def explode_months(
    frame: pl.DataFrame, first: str, last: str, *, keep: list[str], month: str = "month"
) -> pl.DataFrame:
    """One row per month from ``first`` to ``last`` (month dates, inclusive) for each row of ``frame``."""
    return (
        frame.filter(pl.col(first) <= pl.col(last))
        .with_columns(pl.date_ranges(pl.col(first), pl.col(last), interval="1mo").alias(month))
        .select([*keep, month])
        .explode(month)
    )


def month_of(expr: pl.Expr) -> pl.Expr:
    return expr.dt.truncate("1mo")


def clip_months(start: pl.Expr, end: pl.Expr, lo: dt.date, hi: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """The months of [start, end] (end null = open) clipped to [lo, hi] (month dates)."""
    first = pl.max_horizontal(month_of(start), pl.lit(lo))
    last = pl.min_horizontal(month_of(end).fill_null(pl.lit(hi)), pl.lit(hi))
    return first, last


# --------------------------------------------------------------------------- the world
def generate(config: DemoConfig) -> DemoData:
    """The whole synthetic district for ``config`` (deterministic for the config)."""
    pool = pools(config.seed)
    employers, employer_extras = _employers(config, pool)
    organizations, org_tables, org_extras, org_situations = _organizations(config, pool)

    plan = planting.person_plan(config)
    n = config.persons
    planted_total = int(plan["count"].sum())
    if planted_total > n // 2:
        raise ValueError(f"{n} 人太少：埋设的情形需要 {planted_total} 人，至少需要 {2 * planted_total} 人")
    rng = rng_for(config.seed, "planted-positions")
    positions = rng.permutation(n)[:planted_total]
    person_ids = padded_ids("P", 1, n, 7)
    planted_mask = np.zeros(n, dtype=bool)
    planted_mask[positions] = True

    base = _base_persons(config, person_ids)
    background = _background(
        config, base.filter(pl.Series(~planted_mask)), employers, organizations, pool
    )
    planted_ids = person_ids.gather(positions)
    planted = planting.plant_persons(config, plan, planted_ids, employers, organizations)

    persons_core = pl.concat(
        [
            base.filter(pl.Series(~planted_mask)),
            planted["persons"].select(base.columns),
        ],
        how="vertical",
    ).sort("id")
    persons, person_extras = _finish_persons(config, persons_core, pool)

    tables: dict[str, list[pl.DataFrame]] = {}
    for source in (background, planted, org_tables):
        for name, frame in source.items():
            if name not in SCHEMAS or name == "persons":
                continue
            tables.setdefault(name, []).append(frame)
    frames: dict[str, pl.DataFrame] = {
        name: pl.concat([conform(name, f) for f in parts], how="vertical") for name, parts in tables.items()
    }
    frames = {name: _sorted(name, f) for name, f in frames.items()}
    facts = Facts.from_frames(persons=persons, employers=employers, organizations=organizations, **frames)
    situations = pl.concat([planted["situations"], org_situations], how="vertical").sort(
        "situation", "subject"
    )
    return DemoData(
        config=config,
        facts=facts,
        extras={"persons": person_extras, "employers": employer_extras, "organizations": org_extras,
                "events": org_tables["event_names"] if "event_names" in org_tables else pl.DataFrame()},
        situations=situations,
    )  # fmt: skip


SORT_KEYS: dict[str, tuple[str, ...]] = {
    "education": ("person", "graduation_date", "level"),
    "statuses": ("person", "start", "kind"),
    "unemployment": ("person", "start"),
    "flexible": ("person", "start"),
    "contracts": ("person", "start", "contract_id"),
    "social_insurance": ("person", "month", "scheme", "employer"),
    "internships": ("person", "start", "internship_id"),
    "certificates": ("person", "obtained_on", "level"),
    "skill_evaluations": ("person", "date", "level"),
    "evaluations": ("org", "year"),
    "city_subsidies": ("org", "year"),
    "events": ("event_id",),
    "awards": ("event_id", "place", "winner"),
    "landings": ("org",),
    "payments": ("policy", "beneficiary", "subject", "month"),
}


# The registry's natural key of each table (jiuye.registry.schema): one row per key, as the registry
# stores it (e.g. a previous and a current contract with the same employer meeting in one month give
# one insurance month, not two).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "education": ("person", "level", "graduation_date"),
    "statuses": ("person", "kind", "start"),
    "unemployment": ("person", "start"),
    "flexible": ("person", "start"),
    "contracts": ("person", "employer", "start"),
    "social_insurance": ("person", "month", "employer", "scheme"),
    "internships": ("person", "base", "start"),
    "certificates": ("person", "level", "obtained_on"),
    "skill_evaluations": ("person", "level", "date"),
    "evaluations": ("org", "year"),
    "city_subsidies": ("org", "year"),
    "events": ("event_id",),
    "awards": ("event_id", "place", "winner"),
    "landings": ("org",),
    "payments": ("policy", "beneficiary", "subject", "month"),
}


def _sorted(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    keys = SORT_KEYS.get(name)
    if keys:
        frame = frame.sort(list(keys), nulls_last=True, maintain_order=True)
    unique = UNIQUE_KEYS.get(name)
    if unique:
        frame = frame.unique(list(unique), keep="first", maintain_order=True)
    return frame


# --------------------------------------------------------------------------- employers
def _employers(config: DemoConfig, pool: Pools) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Background employers plus a guaranteed set of every type × place the planted situations use."""
    rng = rng_for(config.seed, "employers")
    home = config.district
    n_bg = max(120, config.persons // 15)
    types = np.array([t for t, _ in EMPLOYER_TYPES])[choice(rng, n_bg, tuple(w for _, w in EMPLOYER_TYPES))]
    place = choice(rng, n_bg, tuple(EMPLOYER_DISTRICT_SHARE.values()))
    others = np.array([d for d in DISTRICTS if d != home], dtype=object)
    district = np.where(place == 0, home, others[rng.integers(0, len(others), n_bg)]).astype(object)
    district[place == 2] = None
    # The guaranteed set: 3 of each type in the home district, 2 enterprises in every other district,
    # 3 enterprises outside Shanghai, and micro/small home enterprises.
    g_types: list[str] = []
    g_district: list[str | None] = []
    for t, _ in EMPLOYER_TYPES:
        g_types += [t] * 3
        g_district += [home] * 3
    for d in DISTRICTS:
        if d != home:
            g_types += ["enterprise"] * 2
            g_district += [d, d]
    g_types += ["enterprise"] * 3
    g_district += [None] * 3
    all_types = np.concatenate([np.array(g_types, dtype=object), types.astype(object)])
    all_district = np.concatenate([np.array(g_district, dtype=object), district])
    n = len(all_types)
    size_idx = choice(rng, n, tuple(s for _, s, _ in EMPLOYER_SIZES))
    size_idx[: len(g_types)] = np.arange(len(g_types)) % 2  # guaranteed ones: micro / small
    sizes = np.array([s for s, _, _ in EMPLOYER_SIZES])[size_idx]
    public = np.isin(all_types, ["government_agency", "public_institution"])
    state_owned = (all_types == "enterprise") & (rng.random(n) < 0.04 + 0.25 * (size_idx == 3))
    ids = padded_ids("E", 1, n, 7)
    employers = pl.DataFrame(
        {
            "id": ids,
            "type": pl.Series(all_types.tolist(), dtype=pl.String),
            "district": pl.Series(all_district.tolist(), dtype=pl.String),
            "size": sizes,
            "state_owned": state_owned & ~public,
        }
    )
    # registry-only: credit code, name, town, industry, bank account
    admin = np.array(
        [int(ADMIN_CODES[d]) if d is not None else 0 for d in (None, *DISTRICTS)], dtype=np.int64
    )
    district_index = employers.select(
        pl.col("district").replace_strict(list(DISTRICTS), list(range(1, 17)), default=0)
    ).to_series().to_numpy()
    outside_admin = np.array([int(c) for c, _ in OUTSIDE_AREA_CODES])[rng.integers(0, len(OUTSIDE_AREA_CODES), n)]
    admin_codes = np.where(district_index == 0, outside_admin, admin[district_index])
    prefix = np.array([CREDIT_PREFIX[t] for t, _ in EMPLOYER_TYPES])[
        employers.select(
            pl.col("type").replace_strict([t for t, _ in EMPLOYER_TYPES], list(range(len(EMPLOYER_TYPES))))
        ).to_series().to_numpy()
    ]
    serial = unique_serials(rng, n, 31**7)  # unique, 9 base-31 chars
    codes = credit_codes(prefix, admin_codes, serial)
    industries = ("制造业", "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "建筑业", "信息技术服务业",
                  "科学研究和技术服务业", "租赁和商务服务业", "农、林、牧、渔业", "居民服务业", "卫生和社会工作", "教育")  # fmt: skip
    industry_weights = (30, 16, 9, 8, 7, 6, 5, 6, 5, 4, 2, 2)
    industry_idx = choice(rng, n, industry_weights)
    industry_word = ("制造", "商贸", "物流", "餐饮", "建设工程", "信息技术", "科技", "企业管理", "农业", "家政服务",
                     "健康管理", "教育科技")  # fmt: skip
    name_frame = pl.DataFrame(
        {
            "type": employers["type"],
            "district": employers["district"],
            "word": sample_strings(rng, pool.company_words, n, "word"),
            "industry_word": pl.Series(industry_word).gather(industry_idx),
            "zh": employers["district"].replace_strict(DISTRICT_NAMES, default="").str.strip_suffix("区")
            .str.strip_suffix("新"),
        }
    )  # fmt: skip
    region = pl.when(pl.col("zh") == "").then(pl.lit("")).otherwise(pl.lit("上海"))
    ty = pl.col("type")
    name_expr = (
        pl.when(ty == "government_agency").then(pl.concat_str([pl.lit("上海市"), pl.col("zh"), pl.lit("区"), pl.col("word"), pl.lit("事务管理局")]))
        .when(ty == "public_institution").then(pl.concat_str([pl.lit("上海市"), pl.col("zh"), pl.lit("区"), pl.col("word"), pl.lit("服务中心")]))
        .when(ty == "social_work_org").then(pl.concat_str([region, pl.col("zh"), pl.col("word"), pl.lit("社会工作服务社")]))
        .when(ty == "informal_labor_org").then(pl.concat_str([pl.col("zh"), pl.col("word"), pl.lit("非正规就业劳动组织")]))
        .when(ty == "public_welfare_labor_org").then(pl.concat_str([pl.col("zh"), pl.col("word"), pl.lit("公益性劳动组织")]))
        .when(ty == "labor_dispatch").then(pl.concat_str([region, pl.col("zh"), pl.col("word"), pl.lit("劳务派遣有限公司")]))
        .when(ty == "social_organization").then(pl.concat_str([region, pl.col("zh"), pl.col("word"), pl.lit("行业协会")]))
        .otherwise(pl.concat_str([region, pl.col("zh"), pl.col("word"), pl.col("industry_word"), pl.lit("有限公司")]))
    )  # fmt: skip
    # same words may repeat: number duplicates so that names stay unique
    names = name_frame.select(name_expr.alias("name")).with_columns(
        pl.int_range(pl.len()).over("name").alias("k")
    ).select(
        pl.when(pl.col("k") == 0).then(pl.col("name"))
        .otherwise(pl.col("name").str.replace(r"(有限公司|事务管理局|服务中心|服务社|劳动组织|行业协会)$",
                                              pl.concat_str([pl.lit("第"), (pl.col("k") + 1).cast(pl.String),
                                                             pl.lit("$1")])))
    ).to_series()  # fmt: skip
    towns = sample_towns(rng, home, n)
    extras = pl.DataFrame(
        {
            "id": ids,
            "credit_code": codes,
            "town": keep_where(towns, (employers["district"] == home).fill_null(False).to_numpy()),
            "industry": pl.Series(industries).gather(industry_idx),
            "bank_account": bank_accounts(rng, n),
        }
    )  # fmt: skip
    employers = employers.with_columns(names.alias("name"))
    return conform("employers", employers), extras


# --------------------------------------------------------------------------- organisations
ORG_PREFIX = {
    "internship_base": "就业见习基地", "training_institution": "职业技能培训学校", "incubation_base": "创业孵化基地",
    "guidance_station": "院校创业指导站", "hr_agency": "人力资源有限公司", "competition_host": "创业服务中心",
    "startup": "科技有限公司",
}  # fmt: skip


def _organizations(
    config: DemoConfig, pool: Pools
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame, pl.DataFrame]:
    """Background organisations of every kind, with their yearly records, plus the planted ones."""
    rng = rng_for(config.seed, "organizations")
    home = config.district
    n = config.persons
    counts = {
        "internship_base": max(8, n // 3000), "training_institution": max(4, n // 25000),
        "incubation_base": max(4, n // 100000), "guidance_station": max(3, n // 150000),
        "hr_agency": max(6, n // 40000), "competition_host": max(2, n // 500000), "startup": max(12, n // 4000),
    }  # fmt: skip
    kinds = np.concatenate([np.full(c, k, dtype=object) for k, c in counts.items()])
    m = len(kinds)
    others = np.array([d for d in DISTRICTS if d != home], dtype=object)
    district = np.where(rng.random(m) < 0.85, home, others[rng.integers(0, len(others), m)]).astype(object)
    district[kinds == "competition_host"] = home
    quality = (kinds == "hr_agency") & (rng.random(m) < 0.4)
    # guaranteed: of each kind the first two are in the district, the third elsewhere; HR agencies:
    # one quality-certified and one not in the district
    for kind in counts:
        where = np.flatnonzero(kinds == kind)
        district[where[:2]] = home
        if kind != "competition_host":
            district[where[2]] = "songjiang" if home != "songjiang" else "pudong"
        if kind == "hr_agency":
            quality[where[0]], quality[where[1]] = True, False
    # the district's admin code in the id keeps two demo districts loaded into one registry apart
    ids = padded_ids(f"O{ADMIN_CODES[home]}", 1, m, 6)
    orgs = pl.DataFrame(
        {
            "id": ids,
            "kind": pl.Series(kinds.tolist(), dtype=pl.String),
            "district": pl.Series(district.tolist(), dtype=pl.String),
            "quality_certified": quality,
        }
    )
    years = list(range(config.window_start.year - 1, config.reference_month.year))
    tables: dict[str, pl.DataFrame] = {}
    # incubation bases: one grade per evaluation year, published in March of the next year
    inc = orgs.filter(pl.col("kind") == "incubation_base")["id"]
    ev = pl.DataFrame({"org": inc}).join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    grades = np.array(["A", "B", "C", "D", "fail", "not_participated"])[
        choice(rng, len(ev), (0.15, 0.35, 0.33, 0.12, 0.03, 0.02))
    ]
    ev = ev.with_columns(
        pl.Series("grade", grades),
        pl.date(pl.col("year") + 1, 3, pl.lit(10) + pl.Series(days(rng, len(ev), 0, 15))).alias("published_on"),
    ).filter(pl.date(pl.col("year") + 1, 3, 31) < pl.lit(config.reference_month))
    tables["evaluations"] = ev
    # guidance stations: the city's yearly service-effectiveness subsidy
    gs = orgs.filter(pl.col("kind") == "guidance_station")["id"]
    cs = pl.DataFrame({"org": gs}).join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    cs = cs.with_columns(
        (pl.Series(days(rng, len(cs), 20, 80)) * 100000).alias("amount_fen"),
        pl.date(pl.col("year") + 1, 2, pl.lit(1) + pl.Series(days(rng, len(cs), 0, 20))).alias("granted_on"),
    ).filter(pl.col("granted_on") < pl.lit(config.reference_month))
    tables["city_subsidies"] = cs
    # competition hosts: one event a year, awards 1st–6th place to startups
    hosts = orgs.filter(pl.col("kind") == "competition_host")["id"]
    startups = orgs.filter(pl.col("kind") == "startup")["id"]
    evs = pl.DataFrame({"org": hosts}).join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    evs = evs.with_columns(
        pl.date(pl.col("year"), 6, pl.lit(1) + pl.Series(days(rng, len(evs), 0, 25))).alias("held_on"),
        (pl.Series(days(rng, len(evs), 50, 150)) * 100000).alias("cost_fen"),
    ).filter(pl.col("held_on") < pl.lit(config.reference_month))
    evs = evs.with_columns(
        pl.concat_str([pl.lit("EV"), pl.col("org").str.slice(1), pl.lit("-"), pl.col("year").cast(pl.String)])
        .alias("event_id")
    )
    awards = evs.select("org", "event_id", "held_on").join(
        pl.DataFrame({"place": list(range(1, 7))}, schema={"place": pl.Int32}), how="cross"
    )
    awards = awards.with_columns(pl.Series("winner", startups.gather(rng.integers(0, len(startups), len(awards)))))
    tables["events"] = evs.select("org", "event_id", "held_on", "cost_fen")
    tables["awards"] = awards.select("org", "event_id", "place", "winner")
    # landings: some award-winning startups registered in the district afterwards
    won = awards.filter(pl.col("place") <= 3).group_by("winner").agg(pl.col("held_on").min().alias("award_on"))
    won = won.sort("winner").filter(pl.Series(rng.random(len(won)) < 0.5))
    tables["landings"] = won.select(
        pl.col("winner").alias("org"),
        (pl.col("award_on") + pl.duration(days=pl.lit(pl.Series(days(rng, len(won), 20, 200))))).alias(
            "registered_on"
        ),
        "award_on",
        (pl.Series(days(rng, len(won), 3, 10)) * 1000000).alias("approved_amount_fen"),
        pl.Series(rng.random(len(won)) < 0.85).alias("operating_normally"),
        pl.Series(rng.random(len(won)) < 0.8).alias("employs_jinshan_hukou"),
    ).filter(pl.col("registered_on") < pl.lit(config.reference_month))

    planted_orgs, planted_tables, org_situations = planting.plant_organizations(
        config, first_serial=m + 1, startups=startups
    )
    orgs = pl.concat([conform("organizations", orgs), conform("organizations", planted_orgs)], how="vertical")
    for name, frame in planted_tables.items():
        tables[name] = pl.concat([conform(name, tables[name]) if name in tables else conform(name, frame).clear(),
                                  conform(name, frame)], how="vertical")  # fmt: skip
    m = len(orgs)
    extras = pl.DataFrame(
        {
            "id": orgs["id"],
            "name": pl.DataFrame(
                {
                    "a": orgs["district"].replace_strict(DISTRICT_NAMES, default="").str.strip_suffix("区"),
                    "b": sample_strings(rng, pool.company_words, m, "w"),
                    "c": orgs["kind"].replace_strict(ORG_PREFIX),
                    "d": orgs["id"].str.slice(-4),
                }
            ).select(pl.concat_str(["a", "b", "c", "d"]).alias("name")).to_series(),
            "town": keep_where(sample_towns(rng, home, m), (orgs["district"] == home).fill_null(False).to_numpy()),
            "credit_code": credit_codes(
                np.full(m, 91), np.full(m, int(ADMIN_CODES[home])), unique_serials(rng, m, 2 * 31**7)
            ),
            "bank_account": bank_accounts(rng, m),
        }
    )
    event_names = tables["events"].select(
        "event_id",
        pl.concat_str([pl.col("held_on").dt.year().cast(pl.String), pl.lit("年"),
                       pl.lit(DISTRICT_NAMES[home]), pl.lit("创新创业大赛")]).alias("name"),
    )  # fmt: skip
    tables["event_names"] = event_names
    return conform("organizations", orgs), tables, extras, org_situations


# --------------------------------------------------------------------------- persons
def _base_persons(config: DemoConfig, person_ids: pl.Series) -> pl.DataFrame:
    """Birth date, gender, hukou and origin for everyone (planted people are overwritten later)."""
    rng = rng_for(config.seed, "persons")
    n = config.persons
    home = config.district
    bins = choice(rng, n, tuple(w for _, _, w in AGE_BINS))
    lo = np.array([a for a, _, _ in AGE_BINS])[bins]
    hi = np.array([b for _, b, _ in AGE_BINS])[bins]
    age = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    birth = np_date(config.reference_month) - (age * 365.2425 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    male = rng.random(n) < 0.508
    mix = choice(rng, n, HUKOU_MIX[home])
    others = np.array([d for d in DISTRICTS if d != home], dtype=object)
    hukou = np.where(mix == 0, home, others[rng.integers(0, len(others), n)]).astype(object)
    hukou[mix == 2] = None
    agri_p = np.where(mix == 0, AGRICULTURAL_SHARE[home],
                      np.where(mix == 1, AGRICULTURAL_SHARE["shanghai"], AGRICULTURAL_SHARE["outside"]))  # fmt: skip
    agricultural = rng.random(n) < agri_p
    origin = hukou.copy()
    moved = (mix == 0) & (rng.random(n) < 0.03)
    origin[moved] = others[rng.integers(0, len(others), int(moved.sum()))]
    return pl.DataFrame(
        {
            "id": person_ids,
            "birth_date": to_date_series("birth_date", birth),
            "gender": np.where(male, "male", "female"),
            "hukou_district": pl.Series(hukou.tolist(), dtype=pl.String),
            "hukou_agricultural": agricultural,
            "origin_district": pl.Series(origin.tolist(), dtype=pl.String),
            "id_area": _area_codes(rng, hukou),
        }
    )


def _area_codes(rng: np.random.Generator, hukou: np.ndarray) -> pl.Series:
    """ID-number area code: the hukou district's code, or a province's county for people from outside."""
    n = len(hukou)
    outside = np.array([c for c, _ in OUTSIDE_AREA_CODES] + list(PAIRED_AREA_CODES))
    weights = np.array([w for _, w in OUTSIDE_AREA_CODES] + [1.2] * len(PAIRED_AREA_CODES))
    picked = outside[choice(rng, n, weights)]
    local = pl.Series(hukou.tolist(), dtype=pl.String).replace_strict(ADMIN_CODES, default=None)
    return pl.Series("id_area", np.where(local.is_null().to_numpy(), picked, local.fill_null("").to_numpy()),
                     dtype=pl.String)  # fmt: skip


def _finish_persons(config: DemoConfig, core: pl.DataFrame, pool: Pools) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ID numbers (unique, valid, agreeing with birth date and gender) and the registry-only columns."""
    rng = rng_for(config.seed, "person-extras")
    n = len(core)
    ymd = core.select(
        (pl.col("birth_date").dt.year().cast(pl.Int64) * 10000 + pl.col("birth_date").dt.month().cast(pl.Int64) * 100
         + pl.col("birth_date").dt.day().cast(pl.Int64)).alias("ymd"),
        pl.col("id_area").cast(pl.Int64).alias("area"),
        (pl.col("gender") == "male").cast(pl.Int64).alias("male"),
    )  # fmt: skip
    ranked = ymd.with_columns(pl.int_range(pl.len()).over("area", "ymd", "male").alias("rank"))
    if n and int(ranked.select(pl.col("rank").max()).item() or 0) >= 500:  # pragma: no cover - needs >500 twins of one area/day
        raise ValueError("too many people born on one day in one area for distinct ID numbers")
    area = ranked["area"].to_numpy()
    ymd_np = ranked["ymd"].to_numpy()
    # the home district shifts the order codes, so two demo districts in one registry don't share people
    home_shift = int(ADMIN_CODES[config.district]) * 17
    seq = ((ymd_np * 7 + area * 13 + home_shift) % 500 + ranked["rank"].to_numpy()) % 500
    order = seq * 2 + ranked["male"].to_numpy()
    numbers = id_numbers(area, ymd_np, order)
    persons = core.with_columns(numbers)
    home = config.district
    town = sample_towns(rng, home, n)
    hukou_town = keep_where(town.alias("hukou_town"), (core["hukou_district"] == home).fill_null(False).to_numpy())
    extras = pl.DataFrame(
        {
            "id": core["id"],
            "name": chinese_names(rng, core["gender"], pool),
            "hukou_town": hukou_town,
            "town": town,
            "phone": phones(rng, n),
            "address": street_addresses(rng, home, town, pool),
            "bank_account": bank_accounts(rng, n),
        }
    )
    return conform("persons", persons), extras


# --------------------------------------------------------------------------- background life courses
def _background(
    config: DemoConfig,
    people: pl.DataFrame,
    employers: pl.DataFrame,
    organizations: pl.DataFrame,
    pool: Pools,
) -> dict[str, pl.DataFrame]:
    """Education, work, insurance, spells, registrations, statuses, internships, certificates, payments."""
    _ = pool
    ref = config.reference_month
    w0 = config.window_start
    w1 = config.window_end
    n = len(people)
    out: dict[str, pl.DataFrame] = {}
    rng = rng_for(config.seed, "education")
    ages = people.select(
        ((pl.lit(ref) - pl.col("birth_date")).dt.total_days() // 365).alias("age")
    )["age"].to_numpy()
    born = people["birth_date"].to_numpy().astype("datetime64[D]")
    # --- education: highest level by cohort; masters and doctors also hold a bachelor
    young = ages < 40
    none_young = 1 - sum(EDUCATION_MIX_YOUNG)
    none_old = 1 - sum(EDUCATION_MIX_OLD)
    u = rng.random(n)
    cum_young = np.cumsum((none_young, *EDUCATION_MIX_YOUNG))
    cum_old = np.cumsum((none_old, *EDUCATION_MIX_OLD))
    level = np.where(young, np.searchsorted(cum_young, u), np.searchsorted(cum_old, u)) - 1  # -1 = none
    level = np.minimum(level, len(EDUCATION_LEVELS) - 1)
    has = level >= 0
    grad_age = np.array(GRADUATION_AGE)[np.maximum(level, 0)] + rng.integers(-1, 2, n)
    birth_year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    grad_year = birth_year + grad_age
    others = np.array([d for d in DISTRICTS if d != config.district], dtype=object)
    school_place = choice(rng, n, (0.25, 0.45, 0.30))
    school = np.where(school_place == 0, config.district, others[rng.integers(0, len(others), n)]).astype(object)
    school[school_place == 2] = None
    full_time = rng.random(n) < 0.88
    edu = pl.DataFrame(
        {
            "person": people["id"],
            "level": pl.Series(np.array(EDUCATION_LEVELS)[np.maximum(level, 0)]),
            "full_time": full_time,
            "graduation_date": pl.Series(grad_year).cast(pl.Int32),
            "school_district": pl.Series(school.tolist(), dtype=pl.String),
        }
    ).filter(pl.Series(has))
    edu = edu.with_columns(pl.date(pl.col("graduation_date"), 6, 30).alias("graduation_date"))
    extra = edu.filter(pl.col("level").is_in(["master", "doctor"])).with_columns(
        pl.lit("bachelor").alias("level"),
        pl.when(pl.col("level") == "master").then(add_years_expr(pl.col("graduation_date"), -3))
        .otherwise(add_years_expr(pl.col("graduation_date"), -6)).alias("graduation_date"),
    )  # fmt: skip
    out["education"] = pl.concat([edu, extra])
    student = has & (grad_year * 10000 + 630 >= ref.year * 10000 + ref.month * 100 + ref.day)

    # --- labour state
    rng = rng_for(config.seed, "labour")
    male = (people["gender"] == "male").to_numpy()
    working_age = (ages >= 16) & np.where(male, ages < 60, ages < 55)
    state = choice(rng, n, LABOUR_MIX)
    state[~working_age | student] = 3
    employed = np.flatnonzero(state == 0)
    out.update(_background_work(config, people, employers, organizations, employed, ages))
    # registered unemployed: an open spell; some certified employment-hardship
    rng = rng_for(config.seed, "unemployed")
    unemp = np.flatnonzero(state == 1)
    spell_start = np_date(ref) - days(rng, len(unemp), 20, 1000)
    spells = [pl.DataFrame({"person": people["id"].gather(unemp), "start": to_date_series("start", spell_start)})]
    hard = rng.random(len(unemp)) < 0.15
    statuses = [
        pl.DataFrame(
            {
                "person": people["id"].gather(unemp[hard]),
                "kind": "employment_hardship",
                "start": to_date_series("start", spell_start[hard] + days(rng, int(hard.sum()), 0, 90)),
            }
        )
    ]
    # flexible employment: registration, flexible-scheme insurance at the minimum base; some came out of
    # a spell of unemployment
    rng = rng_for(config.seed, "flexible")
    flex = np.flatnonzero(state == 2)
    reg = np_date(ref) - days(rng, len(flex), 30, 2500)
    flexible = pl.DataFrame({"person": people["id"].gather(flex), "start": to_date_series("start", reg)})
    came = rng.random(len(flex)) < 0.3
    spells.append(
        pl.DataFrame(
            {
                "person": people["id"].gather(flex[came]),
                "start": to_date_series("s", reg[came] - days(rng, int(came.sum()), 30, 400)),
                "end": to_date_series("e", reg[came] - 1),
            }
        )
    )
    first, last = clip_months(pl.col("start"), pl.col("end"), w0, w1)
    flex_months = explode_months(
        flexible.with_columns(pl.lit(None, pl.Date).alias("end")).with_columns(first.alias("f"), last.alias("l")),
        "f", "l", keep=["person"],
    )  # fmt: skip
    flex_ins = flex_months.with_columns(
        pl.lit("flexible").alias("scheme"),
        pl.lit(None, pl.String).alias("employer"),
        min_base_fen_expr(pl.col("month")).alias("base_fen"),
        pl.Series(rng.random(len(flex_months)) < 0.93).alias("paid"),
    )
    out["flexible"] = pl.concat([conform("flexible", out["flexible"]), conform("flexible", flexible)])
    out["social_insurance"] = pl.concat([out["social_insurance"], conform("social_insurance", flex_ins)])
    out["unemployment"] = pl.concat([out["unemployment"], *[conform("unemployment", s) for s in spells]])

    # --- statuses of households and persons
    rng = rng_for(config.seed, "statuses")
    kinds = (("disabled", 0.012), ("min_living_allowance_family", 0.005), ("low_income_family", 0.007),
             ("zero_employment_family", 0.0015), ("employment_hardship", 0.004))  # fmt: skip
    for kind, share in kinds:
        who = np.flatnonzero((rng.random(n) < share) & (ages >= 16))
        start = np_date(ref) - days(rng, len(who), 60, 3000)
        ended = rng.random(len(who)) < 0.15
        end = np.where(ended, start + days(rng, len(who), 90, 700), np.datetime64("NaT"))
        end = np.where(end >= np_date(ref), np.datetime64("NaT"), end)
        statuses.append(
            pl.DataFrame(
                {"person": people["id"].gather(who), "kind": kind, "start": to_date_series("s", start),
                 "end": to_date_series("e", end)}
            )
        )  # fmt: skip
    # paired-region rural labour: people whose ID area is a paired county, of working age
    paired = np.flatnonzero(people["id_area"].is_in(list(PAIRED_AREA_CODES)).to_numpy() & working_age
                            & (rng.random(n) < 0.6))  # fmt: skip
    statuses.append(
        pl.DataFrame(
            {"person": people["id"].gather(paired), "kind": "paired_region_rural_labor",
             "start": to_date_series("s", np_date(w0) - days(rng, len(paired), -400, 1500))}
        )
    )  # fmt: skip
    out["statuses"] = pl.concat([conform("statuses", s) for s in statuses])

    # --- internships (young people and students), certificates, skill evaluations
    rng = rng_for(config.seed, "internships")
    bases = organizations.filter(pl.col("kind") == "internship_base")["id"]
    interns = np.flatnonzero((ages >= 18) & (ages <= 28) & (rng.random(n) < 0.02))
    start = np_date(w0) + days(rng, len(interns), 0, 600)
    length = rng.integers(3, 13, len(interns))
    signed = rng.random(len(interns)) < 0.25
    intern_frame = pl.DataFrame(
        {"person": people["id"].gather(interns), "base": bases.gather(rng.integers(0, len(bases), len(interns))),
         "start": to_date_series("start", start), "length": length, "signed": signed,
         "lag": days(rng, len(interns), 0, 40)}
    ).with_columns(
        (add_months_expr(pl.col("start"), pl.col("length")) - pl.duration(days=1)).alias("end")
    ).with_columns(
        pl.when(pl.col("signed")).then(pl.col("end") - pl.duration(days=pl.col("lag"))).alias("contract_signed_on"),
        pl.concat_str([pl.col("person"), pl.lit("-i1")]).alias("internship_id"),
    )  # fmt: skip
    out["internships"] = intern_frame
    rng = rng_for(config.seed, "certificates")
    institutions = organizations.filter(pl.col("kind") == "training_institution")["id"]
    holders = np.flatnonzero(working_age & (rng.random(n) < 0.04))
    k = len(holders)
    cert_level = np.array(CERTIFICATE_LEVELS)[choice(rng, k, CERTIFICATE_MIX)]
    inst = institutions.gather(rng.integers(0, len(institutions), k))
    certs = pl.DataFrame(
        {"person": people["id"].gather(holders), "level": cert_level,
         "obtained_on": to_date_series("o", np_date(w0) - 365 + days(rng, k, 0, 365 + 700)),
         "training_institution": keep_where(inst, rng.random(k) < 0.8)}
    )  # fmt: skip
    out["certificates"] = certs
    rng = rng_for(config.seed, "evaluations")
    evaluated = np.flatnonzero((ages >= 17) & working_age & (rng.random(n) < 0.015))
    k = len(evaluated)
    lv = choice(rng, k, CERTIFICATE_MIX)
    out["skill_evaluations"] = pl.DataFrame(
        {"person": people["id"].gather(evaluated), "level": np.array(CERTIFICATE_LEVELS)[lv],
         "date": to_date_series("d", np_date(w0) + days(rng, k, 0, 700)),
         "fee_fen": np.array(EVALUATION_FEE_FEN)[lv]}
    )  # fmt: skip
    # --- past payments: about half of the certificate bonuses (JS-08) a Jinshan institution's senior+
    # certificate earned in the JS window were already paid
    out["payments"] = _background_payments(config, certs, organizations)
    return out


def _background_work(
    config: DemoConfig,
    people: pl.DataFrame,
    employers: pl.DataFrame,
    organizations: pl.DataFrame,
    employed: np.ndarray,
    ages: np.ndarray,
) -> dict[str, pl.DataFrame]:
    """Contracts (current, previous, ended), the spells between them and monthly urban-employee insurance."""
    rng = rng_for(config.seed, "work")
    ref = config.reference_month
    w0 = config.window_start
    w1 = config.window_end
    k = len(employed)
    size_weight = employers["size"].replace_strict({s: w for s, _, w in EMPLOYER_SIZES}, return_dtype=pl.Float64)
    place_weight = pl.when(employers["district"] == config.district).then(3.0).otherwise(1.0)
    weights = pl.select(size_weight * place_weight).to_series().to_numpy()
    weights = weights / weights.sum()
    employer_ids = employers["id"]
    current = employer_ids.gather(rng.choice(len(weights), size=k, p=weights))
    age = ages[employed]
    recent = rng.random(k) < 0.28
    start = np.where(
        recent,
        np_date(w0) + days(rng, k, 0, HISTORY_MONTHS * 30 - 20),
        np_date(w0) - np.minimum(days(rng, k, 1, 5000), np.maximum(age - 16, 1) * 365),
    )
    fixed = rng.random(k) < 0.45
    term = np.array((1, 2, 3, 5))[rng.integers(0, 4, k)]
    hr = organizations.filter(pl.col("kind") == "hr_agency")["id"]
    referred = recent & (rng.random(k) < 0.04)
    contracts = pl.DataFrame(
        {
            "person": people["id"].gather(employed),
            "employer": current,
            "start": to_date_series("start", start),
            "fixed": fixed,
            "term": term,
            "registered": rng.random(k) < 0.97,
            "referred_by": keep_where(hr.gather(rng.integers(0, len(hr), k)), referred),
            "leaves": rng.random(k) < 0.07,
            "leave_day": to_date_series("l", np_date(w0) + days(rng, k, 30, HISTORY_MONTHS * 30 - 30)),
            "after": rng.random(k),
            "gap": days(rng, k, 1, 60),
            "mult": np.clip(np.exp(rng.normal(0.38, 0.45, k)), 1.0, 5.0),
        }
    )  # fmt: skip
    end = add_years_expr(pl.col("start"), pl.col("term")) - pl.duration(days=1)
    renewed = add_years_expr(pl.col("start"), pl.lit(ref.year) - pl.col("start").dt.year() + 1) - pl.duration(days=1)
    contracts = contracts.with_columns(
        pl.when(~pl.col("fixed")).then(None).when(end >= pl.lit(ref)).then(end).otherwise(renewed).alias("end")
    ).with_columns(
        pl.when(pl.col("leaves") & (pl.col("leave_day") > pl.col("start"))).then(pl.col("leave_day"))
        .otherwise(pl.col("end")).alias("end"),
        (pl.col("leaves") & (pl.col("leave_day") > pl.col("start"))).alias("left"),
    )  # fmt: skip
    # people who left: registered unemployed (60 %) or flexible (40 %) from the day after
    left = contracts.filter(pl.col("left"))
    after_spell = left.filter(pl.col("after") < 0.6).select(
        "person", (pl.col("end") + pl.duration(days=1)).alias("start")
    )
    after_flex = left.filter(pl.col("after") >= 0.6).select(
        "person", (pl.col("end") + pl.duration(days=pl.col("gap"))).alias("start"), pl.lit(None, pl.Date).alias("end")
    )
    # recent starters: half had a previous job, a third came out of registered unemployment
    prev_draw = rng.random(k)
    previous = contracts.filter(pl.Series(recent & (prev_draw < 0.5))).select(
        "person",
        pl.Series(employer_ids.gather(rng.choice(len(weights), size=k, p=weights)))
        .filter(pl.Series(recent & (prev_draw < 0.5))).alias("employer"),
        "start", "gap", "registered", "mult",
    ).with_columns(
        (pl.col("start") - pl.duration(days=pl.col("gap"))).alias("end"),
        (pl.col("start") - pl.duration(days=pl.col("gap") * 40 + 200)).alias("start"),
        pl.lit(None, pl.String).alias("referred_by"),
    )  # fmt: skip
    before_spell = contracts.filter(pl.Series(recent & (prev_draw >= 0.5) & (prev_draw < 0.83))).select(
        "person",
        (pl.col("start") - pl.duration(days=pl.col("gap") * 6 + 40)).alias("start"),
        (pl.col("start") - pl.duration(days=1)).alias("end"),
    )
    current_rows = contracts.select("person", "employer", "start", "end", "registered", "referred_by", "mult")
    all_contracts = pl.concat(
        [current_rows.with_columns(pl.lit("c2").alias("n")),
         previous.select(current_rows.columns).with_columns(pl.lit("c1").alias("n"))]
    ).with_columns(pl.concat_str([pl.col("person"), pl.lit("-"), pl.col("n")]).alias("contract_id"))  # fmt: skip
    first, last = clip_months(pl.col("start"), pl.col("end"), w0, w1)
    months = explode_months(
        all_contracts.with_columns(first.alias("f"), last.alias("l")), "f", "l", keep=["person", "employer", "mult"]
    )
    insurance = months.with_columns(
        pl.lit("urban_employee").alias("scheme"),
        ((min_base_fen_expr(pl.col("month")) * pl.col("mult") / 100).floor().cast(pl.Int64) * 100).alias("base_fen"),
        pl.Series(rng.random(len(months)) < 0.985).alias("paid"),
    )  # fmt: skip
    after_flex_ins = explode_months(
        after_flex.with_columns(first.alias("f"), last.alias("l")), "f", "l", keep=["person"]
    ).with_columns(
        pl.lit("flexible").alias("scheme"), pl.lit(None, pl.String).alias("employer"),
        min_base_fen_expr(pl.col("month")).alias("base_fen"), pl.lit(True).alias("paid"),
    )  # fmt: skip
    return {
        "contracts": all_contracts,
        "social_insurance": pl.concat(
            [conform("social_insurance", insurance), conform("social_insurance", after_flex_ins)]
        ),
        "unemployment": pl.concat([conform("unemployment", after_spell), conform("unemployment", before_spell)]),
        "flexible": after_flex,
    }


def _background_payments(config: DemoConfig, certs: pl.DataFrame, organizations: pl.DataFrame) -> pl.DataFrame:
    if config.district != "jinshan":
        return empty("payments")
    rng = rng_for(config.seed, "payments")
    home_inst = organizations.filter((pl.col("kind") == "training_institution") & (pl.col("district") == "jinshan"))
    amounts = {"senior_technician": 200000, "technician": 150000, "senior": 100000}
    eligible = certs.filter(
        pl.col("training_institution").is_in(home_inst["id"].implode())
        & pl.col("level").is_in(list(amounts))
        & (pl.col("obtained_on") >= pl.lit(dt.date(2023, 1, 1)))
        & (pl.col("obtained_on") < pl.lit(config.reference_month))
    ).unique(["person", "level"], keep="first", maintain_order=True)
    paid = eligible.filter(pl.Series(rng.random(len(eligible)) < 0.5))
    return paid.select(
        pl.lit("JS-08").alias("policy"),
        pl.col("person").alias("beneficiary"),
        pl.col("person").alias("subject"),
        month_of(pl.col("obtained_on")).alias("month"),
        pl.col("level").replace_strict(amounts, return_dtype=pl.Int64).alias("amount_fen"),
    )
