"""A report's text as HTML, with every statement highlighted where it stands.

Each target and result is one ``<mark>`` over its number and unit (``span_start``–``span_end``), with
``data-statement-id`` set to its id. Numbers never overlap, but one number can count for several items
(新建小学和初中各3所 is two statements): the first item's mark holds the number, and each further item
gets an empty mark right after it, which the stylesheet shows as a small item sign (the text stays the
report's own). The clause around it
is tinted by a ``<span>`` of its kind; a starting level (从…的 X) named in the clause gets a mark of its own
style. Section starts get an anchor for the outline. Everything else is the text, escaped.
"""

from __future__ import annotations

import html
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from govtargets.site.data import Row


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    kind: str  # target, result or baseline
    statement_id: str


def _baseline_mark(statement: Row, taken: list[tuple[int, int]]) -> _Mark | None:
    """The starting level's number in the clause, before the statement's own number, if it stands
    there and overlaps no statement."""
    number = statement["baseline_number_text"]
    if not number or statement["baseline_value"] is None:
        return None
    clause, clause_start = str(statement["clause"]), int(str(statement["char_start"]))
    found = clause.find(str(number))
    if found < 0:
        return None
    start = clause_start + found
    end = start + len(str(number))
    if end > int(str(statement["span_start"])) or any(start < e and s < end for s, e in taken):
        return None
    return _Mark(start, end, "baseline", str(statement["statement_id"]))


def _marks(statements: list[Row]) -> list[_Mark]:
    marks = [
        _Mark(int(str(s["span_start"])), int(str(s["span_end"])), str(s["kind"]), str(s["statement_id"]))
        for s in statements
    ]
    taken = [(m.start, m.end) for m in marks]
    marks += [m for s in statements if (m := _baseline_mark(s, taken)) is not None]
    return sorted(marks, key=lambda m: m.start)


def _mark_element(mark: _Mark, content: str, item: int | None = None) -> str:
    """A mark; ``item`` makes it the empty mark of a further item of a shared number."""
    attribute = "data-baseline-of" if mark.kind == "baseline" else "data-statement-id"
    element_id = "" if mark.kind == "baseline" else f' id="st-{mark.statement_id}"'
    shared = f' st-shared" data-item="{item}' if item is not None else ""
    return (
        f'<mark class="st st-{mark.kind}{shared}"{element_id} {attribute}="{mark.statement_id}" tabindex="0">'
        f"{content}</mark>"
    )


def render_text(text: str, statements: list[Row], anchors: Iterable[tuple[int, str]]) -> str:
    """The report text as HTML: marks for the statements, tinted clauses, and an empty element with the
    given id at each anchor's offset. One pass over the positions where something starts or ends."""
    marks: dict[int, list[_Mark]] = defaultdict(list)  # start → the marks of one span, in item order
    for mark in _marks(statements):
        marks[mark.start].append(mark)
    changes: dict[int, list[tuple[str, int]]] = defaultdict(list)  # offset → (clause kind, +1 or -1)
    for statement in statements:
        kind = str(statement["kind"])
        changes[int(str(statement["char_start"]))].append((kind, 1))
        changes[int(str(statement["char_end"]))].append((kind, -1))
    anchored: dict[int, list[str]] = defaultdict(list)
    for offset, anchor in anchors:
        anchored[min(max(offset, 0), len(text))].append(anchor)
    edges = {0, len(text), *changes, *anchored, *marks, *(group[0].end for group in marks.values())}
    boundaries = sorted(edge for edge in edges if 0 <= edge <= len(text))
    open_clauses: Counter[str] = Counter()
    out: list[str] = []
    done = 0  # text before this offset is written
    for here, after in itertools.pairwise(boundaries):
        for kind, step in changes.get(here, ()):
            open_clauses[kind] += step
        out.extend(
            f'<span class="anchor" id="{html.escape(anchor)}"></span>' for anchor in anchored.get(here, ())
        )
        if here < done:
            continue  # inside a mark already written
        if (group := marks.get(here)) is not None:
            first, *more = group
            out.append(_mark_element(first, html.escape(text[first.start : first.end])))
            out.extend(_mark_element(mark, "", item) for item, mark in enumerate(more, 2))
            done = first.end
            continue
        chunk = html.escape(text[here:after])
        tint = " ".join(f"clause-{kind}" for kind in sorted(open_clauses) if open_clauses[kind] > 0)
        out.append(f'<span class="{tint}">{chunk}</span>' if tint else chunk)
        done = after
    out.extend(f'<span class="anchor" id="{html.escape(a)}"></span>' for a in anchored.get(len(text), ()))
    return "".join(out)
