"""Hard cases for the extractor, written as sentences in the style of government work reports.

The loader's contract is the words as written (number, multiplier, unit, cue words) and the offsets;
turning words into codes happens in dbt and is pinned by the dbt unit tests.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from loaders.quantities import Quantity, find_quantities
from loaders.read import normalize
from loaders.segment import segment
from loaders.vocab import load_vocabulary


def extract(text: str, year: int = 2025) -> list[Quantity]:
    normalized = normalize(text)
    return find_quantities(normalized, segment(normalized, year), load_vocabulary())


def numbers(text: str) -> list[tuple[str, str, str]]:
    """(value, multiplier as written, unit as written) of each quantity."""
    return [(format(q.value.normalize(), "f"), q.multiplier_text, q.unit_text) for q in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新改扩建学校5所,新增公办学位4500个。", [("5", "", "所"), ("4500", "", "个")]),
        ("培训高技能人才3万人次。", [("3", "万", "人次")]),
        ("粮食产量保持在1.3万亿斤以上。", [("1.3", "万亿", "斤")]),
        ("城镇新增就业1,100万人以上。", [("1100", "万", "人")]),
        ("新建充电桩3万4000个。", [("34000", "", "个")]),
        ("新增装机容量500万千瓦。", [("500", "万", "千瓦")]),
        ("新建农村公路30千米。", [("30", "", "千米")]),
        ("完成投资3千万元。", [("3", "千万", "元")]),
        ("新建学校二十所,完成投资三千五百万元。", [("20", "", "所"), ("3500", "万", "元")]),
        ("全年用电量增长百分之八。", [("8", "", "%")]),
        ("新建学校５所。", [("5", "", "所")]),
        ("提高2个百分点,增长1倍。", [("2", "", "个百分点"), ("1", "", "倍")]),
        ("每万人口高价值发明专利拥有量达到12件。", [("12", "", "件")]),
        ("每千人口拥有3岁以下婴幼儿托位数4.5个。", [("4.5", "", "个")]),
        ("2025年底前建成学校5所,65岁及以上老年人健康管理率达到75%。", [("5", "", "所"), ("75", "", "%")]),
        ("投资2亿元。", [("2", "亿", "元")]),
    ],
)
def test_numbers_multipliers_and_units(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "加快5G基站建设,PM2.5平均浓度持续下降。",
        "推动C919大飞机和G60科创走廊建设。",
        "完善“8+N”社会志愿服务体系,发挥“1+10+81+N”平台功能。",
        "畅通12345热线。",
        "办好第七届全国文明城市创建和首届文明典范城市创建。",
        "编制“十四五”规划中期评估,1—2月完成。",
        "推动辖区二、三类声环境功能区建设,健全三级公共卫生体系。",
        "深入推进九大专项行动、十大工程和八大行业领域整治。",
        "完成体育公园(二期)建设。",
        "为满4年的教师发放补贴。",
        "依托“粤菜师傅”“广东技工”“南粤家政”三项工程。",
        "推广“福田十景”,推动“一馆一中心”建设,打造一批精品。",
        "认真贯彻《2025年政府工作要点》。",
        "严格落实中央八项规定精神,落实省委十二届六次全会部署。",
        "布局发展一批汽车零部件配套产业。",
        "进入全国前10名。",
        "加快实现营收1亿元以上企业有研发机构,实施总投资1000亿元以上的新能源项目。",
        "加快构建15分钟公共文化服务圈。",
        "用好240小时过境免签政策,推动公园24小时开放,今年任务十分繁重。",
        "联动济源、三门峡发展,落实党委十届十二次、十三次全会部署。",
    ],
)
def test_names_labels_ordinals_and_periods_are_not_quantities(text: str) -> None:
    assert extract(text) == []


def test_a_duration_with_a_cue_is_a_target() -> None:
    assert numbers(
        "企业开办时间压缩至1个工作日,银川至北京时间由18小时缩短到5小时,优良天数达到338天以上。"
    ) == [
        ("1", "", "个工作日"),
        ("5", "", "小时"),
        ("338", "", "天"),
    ]


def test_a_counted_threshold_is_still_a_target() -> None:
    assert numbers("新增3000个以上自然村通硬化路,引导7家以上企业投资2亿元以上。") == [
        ("3000", "", "个"),
        ("7", "", "家"),
        ("2", "亿", "元"),
    ]


def test_ranges_share_unit_and_multiplier() -> None:
    (growth,) = extract("国内生产总值增长6%-6.5%。")
    assert (growth.value, growth.value_upper, growth.unit_text) == (Decimal(6), Decimal("6.5"), "%")
    (investment,) = extract("力争完成投资6亿至8亿元。")
    assert (investment.value, investment.value_upper, investment.multiplier_text) == (6, 8, "亿")
    (shared,) = extract("完成投资6至8亿元。")
    assert (shared.value, shared.value_upper, shared.multiplier_text, shared.unit_text) == (6, 8, "亿", "元")
    (score,) = extract("群众满意度测评得分提高3-5分。")
    assert (score.value, score.value_upper, score.unit_text) == (3, 5, "分")


@pytest.mark.parametrize(
    ("text", "before", "after", "infix"),
    [
        ("新建社康2家以上。", "", "以上", ""),
        ("确保城镇调查失业率控制在5.5%以内。", "", "以内", ""),
        ("力争消费帮扶采购额超2.8亿元。", "超", "", ""),
        ("数字创意产业营收规模突破1100亿元。", "突破", "", ""),
        ("增派不少于60名优秀医生。", "不少于", "", ""),
        ("居民消费价格涨幅3%左右。", "", "左右", ""),
        ("建设约300个便民服务点。", "约", "", ""),
        ("新增市场主体300余个。", "", "", "余"),
        ("争取2所以上优质学校品牌落户。", "", "以上", ""),
    ],
)
def test_comparator_cues(text: str, before: str, after: str, infix: str) -> None:
    (quantity,) = extract(text)
    assert (quantity.comparator_before, quantity.comparator_after, quantity.approx_infix) == (
        before,
        after,
        infix,
    )


def test_a_cue_after_numbers_joined_by_and_applies_to_each() -> None:
    rows = extract("城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内。")
    assert [(q.value, q.comparator_after, q.number_text) for q in rows] == [
        (5, "以内", "5%"),
        (3, "以内", "3%"),
    ]


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("研发投入强度提高到2.8%。", ["提高到"]),
        ("研发投入强度提高2.8%。", ["提高"]),
        ("单位国内生产总值能耗下降3%左右。", ["下降"]),
        ("社康机构诊疗量占比提升至52%。", ["提升至"]),
        ("新建绿道3公里。", [""]),
    ],
)
def test_level_versus_change(text: str, cues: list[str]) -> None:
    assert [q.measure_cue for q in extract(text)] == cues


def test_base_of_a_change_is_recorded() -> None:
    (quantity,) = extract("规模以上工业增加值比上年增长5%。")
    assert (quantity.base_cue, quantity.measure_cue) == ("比上年", "增长")


def test_firmness_at_the_head_of_a_sentence_governs_its_clauses() -> None:
    text = "力争地区生产总值增长5%,一般公共预算收入增长3%。推动产业升级,力争营收超100亿元,新增企业20家。"
    assert [q.firmness_cue for q in extract(text)] == ["力争", "力争", "力争", ""]


def test_binding_cue() -> None:
    (quantity,) = extract("确保优良水体断面比例达到60%以上。")
    assert quantity.firmness_cue == "确保"


def test_respectively_pairs_items_with_numbers() -> None:
    rows = extract("高技术制造业、装备制造业增加值分别增长8.9%、7.7%。")
    assert [(q.indicator, q.value, q.distribution) for q in rows] == [
        ("高技术制造业", Decimal("8.9"), "分别"),
        ("装备制造业增加值", Decimal("7.7"), "分别"),
    ]
    pair = extract("城乡居民收入分别增长6%和7%。")
    assert [q.value for q in pair] == [6, 7]


def test_each_distributes_one_number_over_a_list() -> None:
    rows = extract("新增绿色建筑面积、装配式建筑面积各100万平方米以上。")
    assert [(q.indicator, q.item_no, q.value, q.multiplier_text) for q in rows] == [
        ("新增绿色建筑面积", 1, 100, "万"),
        ("装配式建筑面积", 2, 100, "万"),
    ]
    assert rows[0].clause_start == rows[1].clause_start


def test_a_list_sharing_one_number_is_one_row() -> None:
    (row,) = extract("实施远程教育医疗示范项目、“美丽宜居”乡村项目3个以上。")
    assert row.indicator == "远程教育医疗示范项目、美丽宜居乡村项目"


def test_enumerated_quantities_get_their_own_clauses() -> None:
    text = "新建街道长者服务中心2个、社区长者服务站3个。"
    rows = extract(text)
    assert [text[q.clause_start : q.clause_end] for q in rows] == [
        "新建街道长者服务中心2个",
        "社区长者服务站3个",
    ]


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("惠及15万人次以上。", "惠及人次"),
        ("引导社会资本投资2亿元。", "引导社会资本投资"),
        ("投资2亿元。", "投资额"),
        ("完成11所新改扩建学校项目。", "新改扩建学校项目"),
        ("加快推进景福花园片区、船步街片区等6个棚改项目。", "棚改项目"),
        ("每万人口高价值发明专利拥有量达到12件。", "每万人口高价值发明专利拥有量"),
        ("实现义务教育学校100%提供午餐午休服务。", "义务教育学校提供午餐午休服务"),
        ("60%的城市污水处理厂完成提标改造。", "城市污水处理厂完成提标改造"),
        ("打造100个左右省级“和美乡村”。", "省级和美乡村"),
    ],
)
def test_indicator(text: str, indicator: str) -> None:
    (quantity,) = extract(text)
    assert quantity.indicator == indicator


def test_offsets_point_into_the_original_traditional_text() -> None:
    original = "新建學校5所，確保失業率控制在5.5%以內。"
    rows = extract(original)
    assert [(q.value, q.unit_text) for q in rows] == [(5, "所"), (Decimal("5.5"), "%")]
    assert original[rows[1].clause_start : rows[1].clause_end] == "確保失業率控制在5.5%以內"
    assert rows[1].firmness_cue == "确保"


def test_numbers_in_a_list_share_verb_and_cue() -> None:
    rows = extract("单位GDP能耗、二氧化碳排放分别下降3%、4%。")
    assert [(q.value, q.measure_cue) for q in rows] == [(3, "下降"), (4, "下降")]
    pension = extract("城乡居民基础养老金最低标准分别提高到不低于740元/月和485元/月。")
    assert [(q.value, q.comparator_before, q.unit_text) for q in pension] == [
        (740, "不低于", "元/月"),
        (485, "不低于", "元/月"),
    ]
    income = extract("城乡居民收入分别增长6%和7%。")
    assert [(q.indicator, q.measure_cue) for q in income] == [
        ("城乡居民收入", "增长"),
        ("城乡居民收入", "增长"),
    ]


def test_firmness_reaches_every_item_of_its_comma_clause() -> None:
    rows = extract("加强治理,确保受污染耕地安全利用率稳定在98%以上、畜禽粪污综合利用率达到83%以上。")
    assert [(q.value, q.firmness_cue) for q in rows] == [(98, "确保"), (83, "确保")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全员劳动生产率16.8万元/人左右。", [("16.8", "万", "元/人")]),
        ("PM2.5年均浓度降至38微克/立方米以下。", [("38", "", "微克/立方米")]),
        ("确保全省生猪出栏稳定在6000万头以上,力争到发中欧班列突破500列,开行班列4000班次。",
         [("6000", "万", "头"), ("500", "", "列"), ("4000", "", "班次")]),
    ],
)  # fmt: skip
def test_compound_and_transport_units(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert numbers(text) == expected


def test_thresholds_grades_and_outline_counts_are_not_targets() -> None:
    text = "年销售收入超10亿元农业产业化龙头企业达到100家以上,建设20万吨级集装箱码头,重点做好9个方面工作。"
    assert numbers(text) == [("100", "", "家")]


def test_conjunctions_left_at_the_edge_are_dropped() -> None:
    assert [q.indicator for q in extract("打造10条精品旅游线路和20个精品旅游景区。")] == [
        "精品旅游线路",
        "精品旅游景区",
    ]


def test_an_empty_subject_takes_the_previous_indicator() -> None:
    rows = extract("新增城镇就业不少于12万人,力争达到13万人。")
    assert [q.indicator for q in rows] == ["新增城镇就业", "新增城镇就业"]
    (ratio,) = extract("投资增长6%-6.5%。")
    assert ratio.indicator == "投资"


@pytest.mark.parametrize(
    ("text", "level", "baseline"),
    [
        ("确保研发投入强度从5.8%提高到6.2%。", ("6.2", "", "%"), ("5.8", "")),
        ("森林覆盖率由20%提高到25%以上。", ("25", "", "%"), ("20", "")),
        ("城镇化率从60提高到65%。", ("65", "", "%"), ("60", "")),  # X without a unit takes Y's
        ("人均收入由1.2万元增加到2万元。", ("2", "万", "元"), ("1.2", "万")),
        ("单位能耗由0.8吨标准煤下降到0.6吨标准煤。", ("0.6", "", "吨标准煤"), ("0.8", "")),
        (
            "所占比重由一九七八年的百分之二十七点八提高到一九八二年的百分之三十三点六。",
            ("33.6", "", "%"),
            ("27.8", ""),
        ),
        ("审批时限由18个工作日压缩至5个工作日。", ("5", "", "个工作日"), ("18", "")),
    ],
)
def test_a_starting_level_is_recorded_on_the_level_it_leads_to(
    text: str, level: tuple[str, str, str], baseline: tuple[str, str]
) -> None:
    (quantity,) = extract(text)
    assert (format(quantity.value.normalize(), "f"), quantity.multiplier_text, quantity.unit_text) == level
    assert quantity.baseline_value is not None
    assert (format(quantity.baseline_value.normalize(), "f"), quantity.baseline_multiplier_text) == baseline


@pytest.mark.parametrize(
    "text",
    ["投资从6亿至8亿元不等。", "新建学校5所,新增学位提高到3000个。", "由于新建学校5所,学位增加到3000个。"],
)
def test_no_starting_level_without_from_and_a_level_cue(text: str) -> None:
    assert all(q.baseline_value is None for q in extract(text))


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("每10万人拥有体育设施45台。", [("45", "台")]),  # a population denominator
        ("每千人口拥有执业医师6.5人。", [("6.5", "人")]),
        ("应纳税所得额100万元至300万元部分减按25%计入。", [("25", "%")]),  # a bracket
        ("地铁站50米内换乘比例达到90%。", [("90", "%")]),  # a distance qualifier
        ("淘汰5吨以下小锅炉200台。", [("200", "台")]),  # a size qualifier
        ("新建1000平方米以上用房10处。", [("10", "处")]),
        ("落实三个100%要求,提炼5个关键词。", []),  # counts of slogans and keywords
        ("道路里程达到50公里以上。", [("50", "公里")]),  # a length target stays a target
    ],
)
def test_numbers_that_qualify_an_indicator_are_not_quantities(text: str, kept: list[tuple[str, str]]) -> None:
    assert [(format(q.value.normalize(), "f"), q.unit_text) for q in extract(text)] == kept


def test_a_clause_opened_by_qizhong_inherits_the_firmness_of_the_clause_it_details() -> None:
    rows = extract("全年力争新增就业10万人,其中高校毕业生3万人。新建学校5所,其中小学2所。")
    assert [q.firmness_cue for q in rows] == ["力争", "力争", "", ""]


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("研发投入不低于全国平均水平的1.6倍。", "不低于"),
        ("出口额超过上年的2倍。", "超过"),
        ("占全省的30%。", ""),
    ],
)
def test_a_comparator_before_the_reference_of_a_multiple_applies_to_it(text: str, cue: str) -> None:
    (quantity,) = extract(text)
    assert quantity.comparator_before == cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("污水处理能力达到50万吨/日。", ("50", "万", "吨/日")),
        ("单位能耗降至0.5吨标准煤/万元。", ("0.5", "", "吨标准煤/万元")),
        ("电价降低2分/千瓦时。", ("2", "", "分/千瓦时")),  # 千瓦时 whole, not 千 × 瓦时
        ("补贴标准提高到500元/人·月。", ("500", "", "元/人·月")),
        ("泄洪流量200立方米/秒。", ("200", "", "立方米/秒")),
        ("设计时速350公里/小时。", ("350", "", "公里/小时")),
    ],
)
def test_a_rate_unit_is_one_compound_unit(text: str, expected: tuple[str, str, str]) -> None:
    (quantity,) = extract(text)
    assert (format(quantity.value.normalize(), "f"), quantity.multiplier_text, quantity.unit_text) == expected


def test_a_slash_that_starts_no_unit_is_left_alone() -> None:
    assert [q.unit_text for q in extract("环比增长5%/季度。")] == ["%"]


def test_an_approximation_inside_a_number_is_recorded() -> None:
    rows = extract("安排支出1030多亿元,改造棚户区住房620多万套,新增300余个。")
    assert [(q.number_text, q.approx_infix) for q in rows] == [
        ("1030多亿元", "多"),
        ("620多万套", "多"),
        ("300余个", "余"),
    ]


def test_a_range_of_chinese_percentages_shares_its_unit() -> None:
    (quantity,) = extract("增长速度定为百分之八至九。")
    assert (quantity.value, quantity.value_upper, quantity.unit_text) == (Decimal(8), Decimal(9), "%")


def test_a_firmness_cue_after_a_leading_time_frame_still_opens_the_sentence() -> None:
    rows = extract("到2027年,力争科技投入持续增加,研发经费投入强度达到2.5%。")
    assert [q.firmness_cue for q in rows] == ["力争"]


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("1956年社会商品零售总额预计将达到460亿元。", "社会商品零售总额"),
        ("全国职工的平均工资将增加到650元。", "全国职工的平均工资"),
        ("一九八二年全国粮食产量已达到7000亿斤。", "全国粮食产量"),
    ],
)
def test_a_leading_year_and_trailing_auxiliaries_are_no_part_of_the_indicator(
    text: str, indicator: str
) -> None:
    (quantity,) = extract(text, year=1956)
    assert quantity.indicator == indicator


def test_a_shorter_unit_when_the_longest_would_end_in_a_label() -> None:
    rows = extract("建成100个乡镇养老服务中心、300个村级互助幸福院,覆盖50个村。")
    assert [(q.number_text, q.unit_text) for q in rows] == [
        ("100个", "个"),
        ("300个", "个"),
        ("50个村", "个村"),
    ]


def test_a_list_of_counts_in_quotes_is_counted_but_a_quoted_label_is_not() -> None:
    rows = extract("以“1家国家实验室、8个大科学装置”为引领,推进“8+N”建设,打造“51020”产业集群。")
    assert [(q.number_text, q.indicator) for q in rows] == [("1家", "以国家实验室"), ("8个", "大科学装置")]


def test_a_layout_gap_between_a_number_and_its_multiplier_keeps_the_amount() -> None:
    assert numbers("国内生产总值达到39.8 万亿元,年均增长11.2%。") == [
        ("39.8", "万亿", "元"),
        ("11.2", "", "%"),
    ]
    assert numbers("国内生产总值达到74.4\n\u200b\n万亿元,增长6.7%。") == [
        ("74.4", "万亿", "元"),
        ("6.7", "", "%"),
    ]
    assert numbers("全年共有2024 年度项目。") == []  # a gap without a multiplier word joins nothing


def test_a_layout_gap_before_a_percent_sign_keeps_the_percent() -> None:
    found = extract(
        "今年国民经济宏观调控的主要目标是:经济增长速度8 ％,商品零售价格涨幅控制在3　％以内。", 1998
    )
    assert [
        (q.indicator, format(q.value.normalize(), "f"), q.unit_text, q.number_text, q.comparator_after)
        for q in found
    ] == [("经济增长速度", "8", "%", "8 %", ""), ("商品零售价格涨幅", "3", "%", "3 %", "以内")]
    assert numbers("全年共有2024 年度项目,完成3 个。") == []  # a gap before any other unit joins nothing
    assert numbers("增长1 0 .3 %,普及率达到8 5 %以上。") == []  # digits spaced out: no last digit alone


def test_a_verb_after_a_list_mark_is_no_counted_noun() -> None:
    found = extract("去年,国内生产总值达到134.9万亿元、增长5%。")
    assert [(q.indicator, q.unit_text) for q in found] == [("国内生产总值", "元"), ("国内生产总值", "%")]


def test_a_run_in_heading_broken_inside_its_sentence_goes_on_on_the_next_line() -> None:
    text = "——经济运行稳中向好。国内生产总值达到74.4\n\u200b\n万亿元,增长6.7%,名列世界前茅。\n新登记企业增长24.5%。"
    found = extract(text, year=2017)
    assert [
        (q.indicator, format(q.value.normalize(), "f"), q.multiplier_text, q.unit_text) for q in found
    ] == [
        ("国内生产总值", "74.4", "万亿", "元"),
        ("国内生产总值", "6.7", "", "%"),
        ("新登记企业", "24.5", "", "%"),
    ]
