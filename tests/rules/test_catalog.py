"""Every measure of the catalog is registered with complete metadata that quotes its clause exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jiuye.rules.catalog import all_measures, get_measure
from jiuye.rules.measure import BENEFICIARY_LABELS, FREQUENCY_LABELS, GROUP_LABELS, KIND_LABELS, Measure
from jiuye.rules.parameters import load_measure_parameters

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
CATALOG = Path(__file__).resolve().parents[2].parent / "shared" / "policy-catalog.md"

# every ID of the catalog's money tables and rules tables (the targets are indicators, not measures)
CATALOG_IDS = [
    "JS-01a", "JS-02", "JS-03a", "JS-03b", "JS-05", "JS-06", "JS-07a", "JS-07b", "JS-07c", "JS-08", "JS-11",
    "JS-12", "JS-13", "CM-10c",
    "JS-04", "JS-07d", "JS-10", "CM-01a", "CM-01b", "CM-02a", "CM-02b", "CM-04a", "CM-04b", "CM-08", "CM-09",
    "CM-10b", "CM-10a", "CM-10d", "CM-10e", "CM-10f", "CM-10g",
    "JS-08b", "JS-08c", "JS-09", "CM-02c", "CM-02d", "CM-03a", "CM-03b", "CM-08a", "CM-10h",
    "JS-01b", "JS-01c", "JS-05r", "CM-05",
]  # fmt: skip


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _seed(measure: Measure) -> str:
    name = "jinshan-2023.txt" if measure.meta.document == "JS" else "chongming-2023.txt"
    return _squash((SEEDS / name).read_text("utf-8"))


@pytest.mark.parametrize("measure_id", CATALOG_IDS)
def test_catalog_id_is_registered(measure_id: str) -> None:
    assert get_measure(measure_id).id == measure_id


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("measure", all_measures(), ids=lambda m: m.id)
def test_metadata_is_complete_and_quotes_the_seed(measure: Measure) -> None:
    meta = measure.meta
    assert meta.title and meta.summary and meta.clause and meta.quote
    assert meta.clause.startswith("金就办〔2023〕1号" if meta.document == "JS" else "沪崇就办〔2023〕2号")
    assert _squash(meta.quote) in _seed(measure), f"{meta.id}: quote is not the seed's exact words"
    assert meta.groups and set(meta.groups) <= set(GROUP_LABELS)
    assert set(meta.payee_kinds) <= set(BENEFICIARY_LABELS) and meta.frequency in FREQUENCY_LABELS
    assert meta.kind in KIND_LABELS
    if measure.computable and measure.subjects != "none":
        load_measure_parameters(meta.id)  # every computable measure has its dated parameter file


@pytest.mark.parametrize("measure", [m for m in all_measures() if m.computable and m.subjects != "none"],
                         ids=lambda m: m.id)  # fmt: skip
def test_parameters_cite_their_source(measure: Measure) -> None:
    params = load_measure_parameters(measure.id)
    assert params.window.source
    for parameter in params.parameters.values():
        assert parameter.label
        for value in parameter.values:
            assert value.source, f"{measure.id}.{parameter.name} since {value.since} has no source"


def test_policies_command_lists_every_measure(capsys: pytest.CaptureFixture[str]) -> None:
    from jiuye.cli import main

    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    for measure in all_measures():
        assert measure.id in out


def test_every_measure_with_money_declares_a_line_bound() -> None:
    """Issue 9 (6): approve, pay and supervision enforce one per-line plausibility bound per measure."""
    from jiuye.rules.catalog import all_measures

    for m in all_measures():
        if m.meta.kind in ("money", "pending"):
            assert m.meta.line_bound_yuan is not None and m.meta.line_bound_yuan > 0, m.id


def test_measures_decided_on_application_declare_their_forms() -> None:
    """Catalog rev. 2: JS-07d, JS-10, CM-01a/b, CM-02a/b are decided on application; each declares its form
    (Chinese labels, types), and the G12 district facts its scope reads are fields of that form."""
    from jiuye.rules.measure import FIELD_TYPE_LABELS, DecidedOnApplication

    on_application = {m.id for m in all_measures() if isinstance(m, DecidedOnApplication)}
    assert on_application == {"JS-07d", "JS-10", "CM-01a", "CM-01b", "CM-02a", "CM-02b"}
    for mid in sorted(on_application):
        m = get_measure(mid)
        assert isinstance(m, DecidedOnApplication) and m.meta.kind == "application"
        names = [f.name for f in m.form]
        assert len(names) == len(set(names)) >= 4, mid
        for f in m.form:
            assert f.type in FIELD_TYPE_LABELS and re.search(r"[\u4e00-\u9fff]", f.label), (mid, f)
            assert bool(f.choices) == (f.type == "choice"), (mid, f.name)
        fields = {f.name: f for f in m.form}
        assert m.scope, mid
        for s in m.scope:
            assert fields[s.column].type == "district" and fields[s.column].required, (mid, s.column)
        assert any(f.type == "file" for f in m.form), f"{mid}: the reviewer needs the evidence"


def test_policy_list_shows_forms_and_district_scope() -> None:
    from jiuye.rules.policy_list import policy_list, policy_list_text

    rows = {r["id"]: r for r in policy_list(bureau_district="chongming")}
    assert rows["JS-10"]["form"][0]["label"] == "用人单位统一社会信用代码"
    assert rows["JS-02"]["matched"] is False and rows["CM-09"]["matched"] is True
    assert rows["CM-04b"]["scope"] == [{"sense": "employer", "label": "本区（崇明）用人单位"}]
    text = policy_list_text(list(rows.values()), with_forms=True, bureau_district="chongming")
    assert "本局所在区：崇明区" in text and "申请表：" in text


def test_reading_states_the_district_scope() -> None:
    """Catalog G12 (rev. 2) applies "in the sense each row names", and a row may be silent: the reading (shown to
    users next to every result) must say in which sense a measure's subjects belong to its district, and a person
    measure that does not ask for the district's hukou must say so, since G12's default for persons is hukou."""
    from jiuye.rules.measure import DOCUMENT_DISTRICT

    names = {"jinshan": "金山", "chongming": "崇明"}
    for m in all_measures():
        if not (m.computable and m.scope):
            continue
        reading = m.meta.reading
        assert names[DOCUMENT_DISTRICT[m.meta.document]] in reading, f"{m.id}: reading does not name its district"
        person_senses = {s.sense for s in m.scope} & {"hukou", "origin"}
        if m.meta.payee_kinds == ("person",) and m.subjects == "persons" and not person_senses:
            assert "户籍" in reading and ("不要求" in reading or "未限定" in reading), (
                f"{m.id}: a person measure without a hukou condition must say so in its reading")


# the catalog's rows (revision 2): who is paid (as users read it), how often, and which table the measure is in
_PERSON, _ORG, _PER_WORKER = "个人", "机构", "用人单位（按招用人员）"
CATALOG_ROWS: dict[str, tuple[str, str, str]] = {
    "JS-01a": (_PERSON, "once", "money"), "JS-02": (_PERSON, "monthly", "money"),
    "JS-03a": (_PERSON, "once", "money"), "JS-03b": (_PERSON, "monthly", "money"),
    "JS-05": (_ORG, "yearly", "money"), "JS-06": (_ORG, "yearly", "money"), "JS-07a": (_ORG, "per_event", "money"),
    "JS-07b": ("个人或机构", "once", "money"), "JS-07c": (_ORG, "once", "money"),
    "JS-08": (_PERSON, "once", "money"), "JS-11": (_PER_WORKER, "monthly", "money"), "JS-12": (_ORG, "once", "money"),
    "JS-13": (_PERSON, "once", "money"), "CM-10c": (_PERSON, "once", "money"),
    "JS-04": (_PERSON, "monthly", "pending"), "CM-04a": (_PER_WORKER, "once", "pending"),
    "CM-04b": (_PER_WORKER, "monthly", "pending"), "CM-08": (_ORG, "once", "pending"),
    "CM-09": (_PERSON, "once", "pending"), "CM-10b": (_PERSON, "once", "pending"),
    "CM-10a": ("用人单位（单位招用的）或个人（灵活就业的）", "monthly", "pending"),
    "CM-10d": (_PER_WORKER, "once", "pending"), "CM-10e": (_PER_WORKER, "once", "pending"),
    "CM-10f": (_PERSON, "monthly", "pending"), "CM-10g": (_PERSON, "once", "pending"),
}  # fmt: skip
ON_APPLICATION = ("JS-07d", "JS-10", "CM-01a", "CM-01b", "CM-02a", "CM-02b")
BY_REVIEWER = ("JS-08b", "JS-08c", "JS-09", "CM-02c", "CM-02d", "CM-03a", "CM-03b", "CM-08a", "CM-10h")
RULES = ("JS-01b", "JS-01c", "JS-05r", "CM-05")


def test_metadata_matches_the_catalog_rows() -> None:
    """Every row's beneficiary (the label users read: CM-10a pays the employer for a hire and the person for
    flexible work, JS-07b a winning person or organisation), frequency and table, as the catalog states them."""
    from jiuye.rules.policy_list import policy_list

    rows = {r["id"]: r for r in policy_list()}
    for mid, (label, frequency, kind) in CATALOG_ROWS.items():
        assert (rows[mid]["beneficiary_label"], rows[mid]["frequency"], rows[mid]["kind"]) == (label, frequency, kind), mid
    assert {mid for mid in ON_APPLICATION if rows[mid]["kind"] == "application"} == set(ON_APPLICATION)
    assert {mid for mid in BY_REVIEWER if rows[mid]["kind"] == "reviewer"} == set(BY_REVIEWER)
    assert all(rows[mid]["kind"] == "rule" and rows[mid]["beneficiaries"] == ["none"] for mid in RULES)
    # the key of the earlier list is still there: one kind, or the route kinds of a row that pays more than one
    assert rows["JS-02"]["beneficiary"] == "person"
    assert rows["CM-10a"]["beneficiary"] == "/".join(rows["CM-10a"]["beneficiaries"]) == "employer_per_worker/person"
    assert set(rows) == set(CATALOG_ROWS) | set(ON_APPLICATION) | set(BY_REVIEWER) | set(RULES)


def test_who_applies_follows_who_is_paid() -> None:
    """The declared payees decide who may apply (``may_apply_for``) as they decide the label and supervision:
    CM-10a pays the hiring employer or the flexibly employed person, so both may apply; a person measure
    takes residents only, an employer measure employers only, an organisation measure anyone acting for it."""
    from jiuye.applications.identity import Identity
    from jiuye.applications.service import may_apply_for
    from jiuye.rules.catalog import all_measures

    by_id = {m.id: m for m in all_measures()}
    resident, employer = Identity(1, "resident", "x", "甲"), Identity(2, "employer", "y", "乙")

    def allowed(mid: str) -> tuple[bool, bool]:
        return may_apply_for(resident, by_id[mid]) is None, may_apply_for(employer, by_id[mid]) is None

    assert allowed("CM-10a") == (True, True)
    assert allowed("JS-02") == (True, False) and allowed("JS-11") == (False, True)
    assert allowed("JS-07b") == (True, True) and allowed("JS-05") == (True, True)
    assert may_apply_for(employer, by_id["JS-02"]) == "本政策由个人申请，请使用个人账号。"
    assert may_apply_for(resident, by_id["JS-11"]) == "本政策由用人单位申请，请使用单位账号。"
