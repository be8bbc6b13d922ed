"""A report's text as HTML (govtargets.site.highlight): the text comes back whole, and every statement
is one element."""

from __future__ import annotations

from html.parser import HTMLParser

from govtargets.site.highlight import render_text

TEXT = "今年新建小学和初中各3所，研发投入强度从5.8%提高到6.2%，<不是标签>。"


def _statement(statement_id: str, kind: str, clause: str, number: str, item: int = 1) -> dict[str, object]:
    start = TEXT.index(clause)
    span = TEXT.index(number, start)
    return {
        "statement_id": statement_id, "kind": kind, "clause": clause, "char_start": start,
        "char_end": start + len(clause), "span_start": span, "span_end": span + len(number),
        "baseline_number_text": "5.8%" if statement_id == "c" else None,
        "baseline_value": 5.8 if statement_id == "c" else None, "item": item,
    }  # fmt: skip


STATEMENTS = [
    _statement("a", "target", "新建小学和初中各3所", "3所"),
    _statement("b", "target", "新建小学和初中各3所", "3所", 2),
    _statement("c", "result", "研发投入强度从5.8%提高到6.2%", "6.2%"),
]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.marks: list[dict[str, str | None]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "mark":
            self.marks.append(found)
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read(html_text: str) -> _Reader:
    reader = _Reader()
    reader.feed(html_text)
    return reader


def test_the_text_comes_back_whole_with_one_mark_per_statement() -> None:
    page = _read(render_text(TEXT, STATEMENTS, [(0, "sec-1"), (TEXT.index("研发"), "sec-2")]))
    assert "".join(page.text) == TEXT
    statement_marks = [m["data-statement-id"] for m in page.marks if m.get("data-statement-id")]
    assert statement_marks == ["a", "b", "c"]
    shared = next(m for m in page.marks if m.get("data-statement-id") == "b")
    assert "st-shared" in str(shared["class"]) and shared["data-item"] == "2"
    baseline = [m for m in page.marks if m.get("data-baseline-of")]
    assert [(m["data-baseline-of"], m["class"]) for m in baseline] == [("c", "st st-baseline")]
    assert page.ids == ["sec-1", "st-a", "st-b", "sec-2", "st-c"]


def test_markup_in_the_text_is_escaped() -> None:
    rendered = render_text(TEXT, [], [])
    assert "&lt;不是标签&gt;" in rendered
    assert "<不是标签>" not in rendered
