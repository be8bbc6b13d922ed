"""China's administrative divisions (seeds/reference/regions.csv) and resolving a district as written.

A manifest names its district the way a person would: 福田区, 广东省深圳市南山区, 深圳南山区, 全国. `resolve`
accepts the division's own name, optionally preceded by any of its ancestors' names in order (full, or
short for province- and prefecture-level ones: 广东, 深圳), and refuses a name that fits several.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import LoaderError
from loaders.vocab import REFERENCE_DIR

NATION_CODE = "000000"
COLUMNS = ("district_code", "name_zh", "name_en", "level", "parent_code", "is_official")
LEVELS = ("nation", "province", "city", "district")

# Short forms people write for province- and prefecture-level names (广东 for 广东省, 深圳 for 深圳市).
_SHORT_SUFFIXES = ("特别行政区", "省", "市")
_SHORT_NAMES = {
    "全国": "中国",
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
}


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None
    is_official: bool

    def forms(self) -> tuple[str, ...]:
        """Every way of writing this region's own name: the full name, then any short form."""
        if self.name_zh in _SHORT_NAMES:
            return (self.name_zh, _SHORT_NAMES[self.name_zh])
        if self.level in ("province", "city"):
            for suffix in _SHORT_SUFFIXES:
                short = self.name_zh.removesuffix(suffix)
                if short != self.name_zh and len(short) >= 2:
                    return (self.name_zh, short)
        return (self.name_zh,)


class RegionIndex:
    def __init__(self, regions: list[Region]) -> None:
        self._by_code = {region.code: region for region in regions}
        self._by_form: dict[str, list[Region]] = {}
        for region in regions:
            for form in region.forms():
                self._by_form.setdefault(form, []).append(region)

    @classmethod
    def from_csv(cls, path: Path) -> RegionIndex:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise LoaderError(str(path), f"expected columns {','.join(COLUMNS)}", line=1)
            regions = [_parse_row(row, path, reader.line_num) for row in reader]
        _check_tree(regions, path)
        return cls(regions)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def by_code(self, code: str) -> Region:
        return self._by_code[code]

    def ancestors(self, code: str) -> list[Region]:
        """The region's ancestors from the nation down to its parent (empty for the nation)."""
        chain: list[Region] = []
        parent = self._by_code[code].parent_code
        while parent is not None:
            region = self._by_code[parent]
            chain.insert(0, region)
            parent = region.parent_code
        return chain

    def full_name(self, code: str) -> str:
        """The name with every ancestor below the nation: 广东省深圳市南山区 (全国 for the nation)."""
        region = self._by_code[code]
        chain = [*self.ancestors(code), region]
        return "".join(r.name_zh for r in chain if r.code != NATION_CODE) or region.name_zh

    def resolve(self, name: str) -> Region:
        text = "".join(name.split())
        matches = self._matches(text)
        if not matches:
            raise LookupError(f"unknown district '{name}'")
        if len(matches) > 1:
            listed = ", ".join(f"{region.code} {self.full_name(region.code)}" for region in matches)
            raise LookupError(f"ambiguous district '{name}': {listed}; write it with its parent")
        return matches[0]

    def _matches(self, text: str) -> list[Region]:
        found: dict[str, Region] = {}
        for start in range(len(text)):
            for region in self._by_form.get(text[start:], []):
                if _is_written_chain(text[:start], self.ancestors(region.code)):
                    found[region.code] = region
        return sorted(found.values(), key=lambda region: region.code)


def default_regions_path() -> Path:
    return REFERENCE_DIR / "regions.csv"


def _is_written_chain(prefix: str, ancestors: list[Region]) -> bool:
    """Whether `prefix` is some of `ancestors`' names (full or short), in order, with nothing else."""
    if not prefix:
        return True
    for position, ancestor in enumerate(ancestors):
        for form in ancestor.forms():
            rest = prefix.removeprefix(form)
            if rest != prefix and _is_written_chain(rest, ancestors[position + 1 :]):
                return True
    return False


def _parse_row(row: dict[str, str], path: Path, line: int) -> Region:
    level = row["level"]
    flag = row["is_official"].lower()
    if level not in LEVELS:
        raise LoaderError(str(path), f"unknown level '{level}'", line=line)
    if flag not in ("true", "false") or not row["name_zh"] or not row["name_en"]:
        raise LoaderError(str(path), "is_official must be true/false and names non-empty", line=line)
    return Region(
        code=row["district_code"],
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        level=level,
        parent_code=row["parent_code"] or None,
        is_official=flag == "true",
    )


def _check_tree(regions: list[Region], path: Path) -> None:
    counts = Counter(region.code for region in regions)
    duplicates = sorted(code for code, count in counts.items() if count > 1)
    if duplicates:
        raise LoaderError(str(path), f"duplicate district_code {', '.join(duplicates)}")
    orphans = sorted(r.code for r in regions if r.parent_code is not None and r.parent_code not in counts)
    if orphans:
        raise LoaderError(str(path), f"parent_code not in the file for {', '.join(orphans)}")
