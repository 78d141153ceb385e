"""The targets the two documents set for leaders to watch (policy catalog, "Targets to monitor").

Each target quotes its clause word for word (tests check the quote against ../shared/seeds) and says where
its figure comes from — or, when the registry holds no data for it, says so: the figures page then shows
"no data source" instead of a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuye.rules.measure import CM_DOC, JS_DOC


@dataclass(frozen=True)
class Target:
    id: str
    document: str  # "JS" | "CM"
    clause: str
    indicator: str  # what is measured
    target: str  # the figure the document sets
    quote: str  # the document's exact words
    no_source: str | None  # why the registry cannot give the figure (None: it can)

    @property
    def district(self) -> str:
        return {"JS": "jinshan", "CM": "chongming"}[self.document]


TARGETS: tuple[Target, ...] = (
    Target("CM-06", "CM", f"{CM_DOC} 二(六)", "区管企业年度招聘计划中面向本市高校毕业生的岗位占比", "不低于 50%",
           "区管企业要在年度招聘计划中，安排不低于50%的就业岗位，面向本市高校毕业生定向招聘。",
           "登记库没有区管企业的年度招聘计划和岗位数据。"),
    Target("CM-07a", "CM", f"{CM_DOC} 二(七)", "每年选调生招录人数", "15 名左右",
           "落实每年15名左右选调生的招录指标", "登记库没有选调生招录数据。"),
    Target("CM-07b", "CM", f"{CM_DOC} 二(七)", "面向应届生的公务员招录计划占比", "不少于公务员招录计划总数的 70%",
           "确保面向应届生招录计划不少于公务员招录计划总数的70%。", "登记库没有公务员招录计划数据。"),
    Target("CM-07c", "CM", f"{CM_DOC} 二(七)", "事业单位招聘总量；面向高校毕业生的岗位占比",
           "不低于上年水平；不少于 60%",
           "当年度事业单位招聘总量不低于上年水平，集中公开招聘所提供的岗位数中，面向高校毕业生的岗位数占比不少于60%。",
           "登记库没有事业单位招聘数据。"),
    Target("CM-09", "CM", f"{CM_DOC} 二(九)", "离校未就业毕业生帮扶就业率（到年底）", "不低于 90%",
           "确保到年底离校未就业毕业生帮扶就业率不低于90%。",
           "登记库有学历和劳动合同，但没有离校未就业毕业生的帮扶名单（谁在帮扶之列），无法计算帮扶就业率。"),
    Target("CM-10", "CM", f"{CM_DOC} 三(十)", "零就业家庭至少一人就业", "100%",
           "确保零就业家庭至少一人就业。",
           "登记库只记录个人的“零就业家庭”身份，没有家庭（户）的归集，无法按户计算；下方只列出有此身份的人数。"),
    Target("CM-13a", "CM", f"{CM_DOC} 四(十三)", "至少建设或试点 1 个社区就业服务站点的乡镇", "每个乡镇（2023 年底）",
           "到2023年底，确保每个乡镇至少建设或试点1个社区就业服务站点。",
           "登记库的机构类型中没有社区就业服务站点。"),
    Target("CM-13b", "CM", f"{CM_DOC} 四(十三)", "安排专（兼）职就业工作人员的村居", "每个村居",
           "每个村居至少安排一名专（兼）职工作人员负责就业促进工作。",
           "登记库的村居委表没有就业工作人员数据。"),
    Target("JS-14", "JS", f"{JS_DOC} 五(十四)", "就业数据采样监测点按时上报", "每个监测点",
           "在重点企业、居住社区、孵化基地等设立就业数据采样监测点，落实数据上报制度",
           "登记库没有监测点及其上报记录。"),
)  # fmt: skip


def targets_of(district: str) -> tuple[Target, ...]:
    """The targets of the document of ``district`` (jinshan / chongming)."""
    return tuple(t for t in TARGETS if t.district == district)
