"""The result page's condition lists escape every text as markupsafe does, however often a text repeats
(jiuye.public.views keeps the escaped texts) and whether it is plain text or already safe Markup."""

from __future__ import annotations

from markupsafe import Markup, escape

from jiuye.public import views


def _expected(c: dict[str, object]) -> str:
    out = f'  <li>{views._MET[bool(c["met"])]}{escape(c["text"])}'
    out += f'<br><span class="small muted">{escape(c["detail"])}</span>' if c.get("detail") else ""
    out += f'<br><span class="small muted">依据：{escape(c["clause"])}</span>'
    out += f'<span class="hint">怎样才能符合：{escape(c["hint"])}</span>' if not c["met"] and c.get("hint") else ""
    return out + "</li>\n"


def test_escaped_like_markupsafe_on_every_call() -> None:
    tricky = ["<b>年龄 ≥ 16</b>", "A & B's \"x\"", Markup("<i>安全</i>"), "<i>安全</i>", "", "普通文字"]
    conds = [{"text": t, "met": i % 2 == 0, "detail": tricky[-1 - i], "clause": t, "hint": t}
             for i, t in enumerate(tricky)]  # fmt: skip
    want = '<ul class="conds">\n' + "".join(_expected(c) for c in conds) + "</ul>"
    for _ in range(3):  # the first call escapes, the next look up
        assert str(views.conditions_html(conds)) == want
    views._ESCAPED.clear()
    assert str(views.conditions_html(list(reversed(conds)))) == ('<ul class="conds">\n'
                                                                 + "".join(_expected(c) for c in reversed(conds)) + "</ul>")  # fmt: skip
