from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.regions import COLUMNS, NATION_CODE, RegionIndex, default_regions_path

PARENT_LEVELS = {
    "province": {"nation"},
    "city": {"province"},
    "district": {"city", "province"},
}


@pytest.fixture(scope="module")
def index() -> RegionIndex:
    return RegionIndex.from_csv(default_regions_path())


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, str]]:
    with default_regions_path().open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_seed_has_exactly_the_documented_columns() -> None:
    with default_regions_path().open(encoding="utf-8", newline="") as f:
        assert tuple(next(csv.reader(f))) == COLUMNS


def test_every_level_is_covered(index: RegionIndex) -> None:
    official = Counter(region.level for region in index if region.is_official)
    assert official["nation"] == 1
    assert 34 >= official["province"] >= 31
    assert official["city"] >= 330
    assert official["district"] >= 2800


def test_codes_are_unique_and_sorted(raw_rows: list[dict[str, str]]) -> None:
    codes = [row["district_code"] for row in raw_rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_official_codes_are_gb2260_and_functional_areas_can_never_be(index: RegionIndex) -> None:
    for region in index:
        is_gb2260 = len(region.code) == 6 and region.code.isdigit()
        assert is_gb2260 == region.is_official, region


def test_every_parent_exists_one_level_up(index: RegionIndex) -> None:
    for region in index:
        if region.code == NATION_CODE:
            assert region.parent_code is None
            continue
        assert region.parent_code is not None, region
        parent = index.by_code(region.parent_code)
        assert parent.level in PARENT_LEVELS[region.level], (region, parent)


def test_official_codes_nest_under_their_parent(index: RegionIndex) -> None:
    for region in index:
        if region.is_official and region.level in ("city", "district"):
            assert region.parent_code is not None
            assert region.code[:2] == region.parent_code[:2], region


def test_names_are_non_empty(index: RegionIndex) -> None:
    assert all(region.name_zh and region.name_en for region in index)


@pytest.mark.parametrize(
    ("code", "name_zh", "name_en", "level", "parent_code"),
    [
        ("000000", "全国", "China", "nation", None),
        ("440000", "广东省", "Guangdong Province", "province", "000000"),
        ("440300", "深圳市", "Shenzhen", "city", "440000"),
        ("440304", "福田区", "Futian District", "district", "440300"),
        ("110000", "北京市", "Beijing", "province", "000000"),
        ("110101", "东城区", "Dongcheng District", "district", "110000"),
        ("429004", "仙桃市", "Xiantao City", "district", "420000"),
        ("150000", "内蒙古自治区", "Inner Mongolia Autonomous Region", "province", "000000"),
        ("810000", "香港特别行政区", "Hong Kong Special Administrative Region", "province", "000000"),
    ],
)
def test_known_divisions(
    index: RegionIndex, code: str, name_zh: str, name_en: str, level: str, parent_code: str | None
) -> None:
    region = index.by_code(code)
    assert (region.name_zh, region.name_en, region.level, region.parent_code) == (
        name_zh,
        name_en,
        level,
        parent_code,
    )
    assert region.is_official


def test_functional_areas_are_marked_unofficial(index: RegionIndex) -> None:
    dapeng = index.resolve("深圳市大鹏新区")
    assert (dapeng.is_official, dapeng.parent_code) == (False, "440300")
    assert not index.resolve("雄安新区").is_official
    assert index.resolve("浦东新区").is_official


def test_unknown_code_is_a_key_error(index: RegionIndex) -> None:
    with pytest.raises(KeyError):
        index.by_code("999999")


def test_ancestors_run_from_the_nation_down(index: RegionIndex) -> None:
    assert [region.code for region in index.ancestors("440305")] == ["000000", "440000", "440300"]
    assert [region.code for region in index.ancestors("110101")] == ["000000", "110000"]
    assert index.ancestors(NATION_CODE) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("福田区", "440304"),
        ("广东省", "440000"),
        ("广东", "440000"),
        ("全国", "000000"),
        ("深圳市", "440300"),
        ("深圳", "440300"),
        ("广东省深圳市南山区", "440305"),
        ("深圳市南山区", "440305"),
        ("广东深圳南山区", "440305"),
        ("广东省南山区", "440305"),
        ("广东省 深圳市 南山区", "440305"),
        ("北京市朝阳区", "110105"),
        ("吉林市", "220200"),
        ("湖北省仙桃市", "429004"),
        ("内蒙古", "150000"),
    ],
)
def test_resolve(index: RegionIndex, name: str, code: str) -> None:
    assert index.resolve(name).code == code


def test_an_ambiguous_name_lists_every_candidate(index: RegionIndex) -> None:
    with pytest.raises(LookupError) as caught:
        index.resolve("南山区")
    message = str(caught.value)
    assert message.startswith("ambiguous district '南山区': ")
    assert "230404 黑龙江省鹤岗市南山区" in message
    assert "440305 广东省深圳市南山区" in message
    assert message.endswith("write it with its parent")


def test_a_short_name_shared_by_a_province_and_a_city_is_ambiguous(index: RegionIndex) -> None:
    with pytest.raises(LookupError, match="220000 吉林省, 220200 吉林省吉林市"):
        index.resolve("吉林")


@pytest.mark.parametrize("name", ["火星区", "南山", "深圳市深圳市", "广东省鹤岗市南山区", ""])
def test_an_unknown_name_is_refused(index: RegionIndex, name: str) -> None:
    with pytest.raises(LookupError, match=f"unknown district '{name}'"):
        index.resolve(name)


def _write_seed(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_from_csv_rejects_a_duplicate_code(tmp_path: Path) -> None:
    seed = _write_seed(
        tmp_path / "regions.csv",
        ["000000,全国,China,nation,,true", "000000,全国,China,nation,,true"],
    )
    with pytest.raises(LoaderError, match="duplicate district_code 000000"):
        RegionIndex.from_csv(seed)


def test_from_csv_rejects_a_missing_parent(tmp_path: Path) -> None:
    seed = _write_seed(
        tmp_path / "regions.csv",
        ["000000,全国,China,nation,,true", "440304,福田区,Futian District,district,440300,true"],
    )
    with pytest.raises(LoaderError, match="parent_code not in the file for 440304"):
        RegionIndex.from_csv(seed)


def test_from_csv_names_the_line_of_a_bad_row(tmp_path: Path) -> None:
    seed = _write_seed(tmp_path / "regions.csv", ["000000,全国,China,nation,,yes"])
    with pytest.raises(LoaderError) as caught:
        RegionIndex.from_csv(seed)
    assert caught.value.line == 2
