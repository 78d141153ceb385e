"""CM-05 社区工作者、村居事务工作者岗位面向应届生开放 — 沪崇就办〔2023〕2号 二(五).

Reading (catalog, eligibility and status rules): in 2023 every new community-worker post and every
village/residential-affairs post is open to fresh graduates, with no minimum years of experience.

Our choices: a rule about recruitment posts, not people: the case format has no posts or
recruitment facts, so the rule is registered (kind "rule", listed in ``jiuye policies``) but evaluates
nothing — no entitlements, no findings, no explanation rows.  Checking recruitment notices against it
would need post data the platform does not hold yet.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jiuye.rules.facts import Facts
from jiuye.rules.measure import Condition, Context, Measure, Meta, Subjects
from jiuye.rules.measures._chongming import CLAUSE_5
from jiuye.rules.parameters import MeasureParameters


class CommunityPostsOpenToGraduates(Measure):
    meta: ClassVar[Meta] = Meta(
        id="CM-05",
        title="社区工作者、村居事务工作者岗位面向应届生开放",
        clause=CLAUSE_5,
        quote="原则上2023年所有新招聘社区工作者岗位全部面向应届生开放，不设置最低工作年限，并设立一定岗位专项招聘应届生；"
        "村居事务工作者岗位全部面向应届生开放。",
        summary="2023年崇明新招聘的社区工作者岗位原则上全部面向应届毕业生开放，不设最低工作年限，并设一定岗位专门招聘"
        "应届生；村居事务工作者岗位全部面向应届生开放。",
        groups=("graduates",),
        beneficiary="none",
        frequency="none",
        kind="rule",
        reading="招聘岗位的规则（2023年新招聘社区工作者岗位、村居事务工作者岗位全部面向应届生开放，不设最低工作年限），"
        "不针对个人发放资金；案例格式没有岗位与招聘信息，本软件只列示本规则，不逐人判断。",
    )
    subjects: ClassVar[Subjects] = "none"

    def candidates(self, facts: Facts, p: MeasureParameters, ctx: Context) -> pl.LazyFrame:
        """No facts about posts: an empty frame (no subject gets an explanation)."""
        return pl.LazyFrame(schema={"subject": pl.String})

    def conditions(self, p: MeasureParameters, ctx: Context) -> list[Condition]:
        return []


MEASURE = CommunityPostsOpenToGraduates()
