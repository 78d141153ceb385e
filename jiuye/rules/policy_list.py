"""The policy list (CM-17, JS-15): every measure in plain Chinese, searchable by group, with its clause."""

from __future__ import annotations

from typing import Any

from jiuye.rules.catalog import all_measures
from jiuye.rules.facts import DISTRICT_NAMES
from jiuye.rules.measure import (
    BUREAU_DISTRICTS,
    FREQUENCY_LABELS,
    GROUP_LABELS,
    KIND_LABELS,
    SENSE_TEXT,
    DecidedOnApplication,
)
from jiuye.rules.parameters import load_measure_parameters


def _validity(measure_id: str) -> str:
    try:
        window = load_measure_parameters(measure_id).window
    except FileNotFoundError:
        return ""
    end = "管理员设定终止日期前持续有效" if window.end is None else f"{window.end:%Y-%m}"
    return f"{window.start:%Y-%m} 至 {end}"


def policy_list(
    group: str | None = None, with_parameters: bool = False, bureau_district: str | None = None
) -> list[dict[str, Any]]:
    """Every measure (of ``group``) with its metadata; ``matched`` says whether a bureau of
    ``bureau_district`` (jinshan | chongming | all, None = not known) matches it (G12)."""
    rows = []
    for m in all_measures():
        meta = m.meta
        if group and group not in meta.groups:
            continue
        district_name = DISTRICT_NAMES[m.district].removesuffix("区")
        row: dict[str, Any] = {
            "id": meta.id, "title": meta.title, "clause": meta.clause, "kind": meta.kind,
            "kind_label": KIND_LABELS[meta.kind], "groups": list(meta.groups),
            "group_labels": [GROUP_LABELS[g] for g in meta.groups],
            # ``beneficiary`` kept for readers of the earlier list (one kind; the route kinds joined by "/" where a
            # catalog row pays more than one, CM-10a and JS-07b); ``beneficiaries`` lists them
            "beneficiary": "/".join(meta.payee_kinds), "beneficiaries": list(meta.payee_kinds),
            "beneficiary_label": meta.beneficiary_label,
            "frequency": meta.frequency, "frequency_label": FREQUENCY_LABELS[meta.frequency],
            "validity": _validity(meta.id), "summary": meta.summary, "quote": meta.quote, "reading": meta.reading,
            "district": m.district, "district_label": DISTRICT_NAMES[m.district],
            "scope": [{"sense": s.sense, "label": s.text or SENSE_TEXT[s.sense].format(district_name)} for s in m.scope],
            "matched": None if bureau_district is None else bureau_district in ("all", m.district),
        }  # fmt: skip
        if isinstance(m, DecidedOnApplication):
            row["form"] = [f.to_json() for f in m.form]
        if with_parameters:
            try:
                p = load_measure_parameters(meta.id)
                row["parameters"] = [
                    {"name": f"{meta.id}.{name}", "label": par.label, "unit": par.unit,
                     "values": [{"since": v.since.isoformat(), "value": v.value, "source": v.source}
                                for v in par.values]}
                    for name, par in p.parameters.items()
                ]  # fmt: skip
            except FileNotFoundError:
                row["parameters"] = []
        rows.append(row)
    return rows


def policy_list_text(
    rows: list[dict[str, Any]], with_parameters: bool = False, with_forms: bool = False,
    bureau_district: str | None = None,
) -> str:
    out = []
    if bureau_district is None:
        out.append("本局所在区：未读取（无已初始化的数据库；jiuye settings district 设置后，匹配只涉及本区文件的措施）")
    else:
        out.append(f"本局所在区：{BUREAU_DISTRICTS[bureau_district]}（jiuye settings district）；"
                   "标有〔不匹配〕的措施属于其他区的文件，本局不匹配、不发放")  # fmt: skip
    out.append("")
    for r in rows:
        mark = "  〔不匹配〕" if r.get("matched") is False else ""
        out.append(f"{r['id']}  {r['title']}  〔{r['clause']}〕{mark}")
        out.append(f"    对象：{'、'.join(r['group_labels'])}；受益方：{r['beneficiary_label']}；"
                   f"频次：{r['frequency_label']}；类型：{r['kind_label']}")  # fmt: skip
        if r["validity"]:
            out.append(f"    有效期：{r['validity']}")
        out.append(f"    说明：{r['summary']}")
        if r["scope"]:
            out.append(f"    {r['district_label']}范围（G12）：{'；'.join(s['label'] for s in r['scope'])}")
        if with_forms and r.get("form"):
            fields = "；".join(f"{f['label']}（{f['type_label']}{'' if f['required'] else '，选填'}）" for f in r["form"])
            out.append(f"    申请表：{fields}")
        if with_parameters:
            for par in r.get("parameters", []):
                values = "；".join(f"{v['since']} 起 {v['value'] if v['value'] is not None else '未设定'}"
                                  for v in par["values"])  # fmt: skip
                out.append(f"    参数 {par['name']}（{par['label']}）：{values}")
        out.append("")
    return "\n".join(out)
