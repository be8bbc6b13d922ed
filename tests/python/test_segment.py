"""Report structure: headings at every level, review versus plan, sentences that tile the text."""

from __future__ import annotations

import itertools

from loaders.read import normalize
from loaders.segment import OTHER, PLAN, REVIEW, segment

NATIONAL_STYLE = """各位代表：
现在，我代表国务院，向大会报告政府工作。

一、2024年工作回顾

过去一年，国内生产总值增长5%，城镇新增就业1256万人。
（一）加大宏观调控力度。发行超长期特别国债1万亿元。

二、2025年经济社会发展总体要求和政策取向

今年发展主要预期目标是：国内生产总值增长5%左右；城镇调查失业率5.5%左右。

三、2025年政府工作任务

（一）大力提振消费。
1.实施提振消费专项行动。安排超长期特别国债3000亿元。
——稳定就业。新增就业1200万人以上。
（1）加强技能培训。培训300万人次。
去年完成培训280万人次。
"""


def _kinds(text: str, year: int = 2025) -> dict[str, str]:
    normalized = normalize(text)
    result = segment(normalized, year)
    return {normalized[s.start : s.end]: s.kind for s in result.sentences}


def test_headings_at_every_level() -> None:
    result = segment(normalize(NATIONAL_STYLE), 2025)
    assert [(s.level, s.marker, s.path) for s in result.sections] == [
        (1, "一、", "1"),
        (2, "(一)", "1.1"),
        (1, "二、", "2"),
        (1, "三、", "3"),
        (2, "(一)", "3.1"),
        (3, "1.", "3.1.1"),
        (4, "——", "3.1.1.——"),
        (4, "(1)", "3.1.1.1"),
    ]
    titles = [s.title for s in result.sections]
    assert titles[0] == "2024年工作回顾" and titles[5] == "实施提振消费专项行动"


def test_review_and_plan() -> None:
    kinds = _kinds(NATIONAL_STYLE)
    assert kinds["现在,我代表国务院,向大会报告政府工作。"] == OTHER
    assert kinds["过去一年,国内生产总值增长5%,城镇新增就业1256万人。"] == REVIEW
    assert kinds["发行超长期特别国债1万亿元。"] == REVIEW
    assert kinds["城镇调查失业率5.5%左右。"] == PLAN
    assert kinds["培训300万人次。"] == PLAN
    assert kinds["去年完成培训280万人次。"] == REVIEW


def test_main_targets_are_flagged() -> None:
    normalized = normalize(NATIONAL_STYLE)
    flagged = [normalized[s.start : s.end] for s in segment(normalized, 2025).sentences if s.in_main_targets]
    assert flagged == ["今年发展主要预期目标是:国内生产总值增长5%左右;", "城镇调查失业率5.5%左右。"]


def test_bare_headings_without_numbers() -> None:
    text = "2024年工作回顾\n一年来，新建学校10所。\n2025年工作安排\n新建学校12所。\n"
    assert _kinds(text) == {"一年来,新建学校10所。": REVIEW, "2024年工作回顾": REVIEW,
                            "2025年工作安排": PLAN, "新建学校12所。": PLAN}  # fmt: skip


def test_a_section_that_opens_by_looking_back_is_review() -> None:
    text = (
        "一、牢记嘱托，建设取得新成效\n2024年是极不平凡的一年。新建学校10所。\n二、奋勇争先\n新建学校12所。\n"
    )
    kinds = _kinds(text)
    assert kinds["新建学校10所。"] == REVIEW
    assert kinds["新建学校12所。"] == PLAN


def test_annex_of_livelihood_projects_is_plan() -> None:
    text = "一、2024年工作回顾\n新建学校10所。\n附件：2025年十件民生实事\n新增托位2000个。\n"
    assert _kinds(text)["新增托位2000个。"] == PLAN


def test_an_excerpt_without_headings_is_plan() -> None:
    assert set(_kinds("新改扩建学校5所。新增公办学位4500个。").values()) == {PLAN}


def test_a_line_broken_inside_a_sentence_continues_the_paragraph() -> None:
    text = "依据\n法律\n、\n法规\n，新建学校5所。\n下一段。\n"
    normalized = normalize(text)
    sentences = segment(normalized, 2025).sentences
    assert [text[s.start : s.end] for s in sentences] == ["依据\n法律\n、\n法规\n，新建学校5所。", "下一段。"]
    assert sentences[0].paragraph_no == 1 and sentences[1].paragraph_no == 2


def test_sentences_point_into_the_text_and_do_not_overlap() -> None:
    normalized = normalize(NATIONAL_STYLE)
    sentences = segment(normalized, 2025).sentences
    for before, after in itertools.pairwise(sentences):
        assert before.end <= after.start
    assert all(normalized[s.start : s.end].strip() == normalized[s.start : s.end] for s in sentences)


def test_lead_sentence_is_the_topic_of_what_follows() -> None:
    normalized = normalize("办好人民满意教育。新改扩建学校5所。完善医疗服务体系。新建社康2家。")
    leads = [s.lead for s in segment(normalized, 2025).sentences]
    assert leads == ["办好人民满意教育", "办好人民满意教育", "完善医疗服务体系", "完善医疗服务体系"]


def test_subsections_of_a_review_stay_review_unless_they_open_the_plan() -> None:
    text = (
        "一、2024年工作回顾\n（一）办好民生实事，生活品质稳步提高。新增托位2000个。\n"
        "（二）今年主要预期目标。新增托位3000个。\n二、重点任务\n新增托位4000个。\n"
    )
    kinds = _kinds(text)
    assert kinds["新增托位2000个。"] == REVIEW
    assert kinds["新增托位3000个。"] == PLAN
    assert kinds["新增托位4000个。"] == PLAN


def test_a_glossary_sets_no_targets() -> None:
    text = "二、2025年重点任务\n新建学校12所。\n名词解释\n1.千万工程：2003年起从全省选择1万个左右的行政村整治。\n"
    kinds = _kinds(text)
    assert kinds["新建学校12所。"] == PLAN
    assert kinds["1.千万工程:2003年起从全省选择1万个左右的行政村整治。"] == OTHER


def test_a_review_before_the_first_heading_is_review() -> None:
    text = "各位代表:\n过去一年,我们新建学校10所。城镇新增就业2万人。\n一、2025年工作安排\n新建学校12所。\n"
    kinds = _kinds(text)
    assert kinds["各位代表:"] == OTHER
    assert kinds["过去一年,我们新建学校10所。"] == REVIEW
    assert kinds["城镇新增就业2万人。"] == REVIEW
    assert kinds["新建学校12所。"] == PLAN


def _kinds_and_evidence(text: str, year: int = 2025) -> list[tuple[str, str, str]]:
    normalized = normalize(text)
    return [
        (normalized[s.start : s.end], s.kind, s.kind_evidence) for s in segment(normalized, year).sentences
    ]


def test_a_first_paragraph_of_main_targets_is_plan_not_salutation() -> None:
    text = (
        "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右；城镇新增就业3万人以上。\n"
        "一、扎实推进产业升级\n新建产业园区2个。\n"
    )
    rows = _kinds_and_evidence(text)
    assert rows[0][1:] == (PLAN, "sentence_cue")
    assert rows[-1][1] == PLAN


def test_a_text_without_headings_that_opens_with_a_review_gives_results_then_targets() -> None:
    text = (
        "五年来，全县地区生产总值年均增长7.2%。\n新建学校12所，新增学位8000个。\n"
        "今年，全县将新建学校3所。\n新增学位2000个。\n"
    )
    rows = _kinds_and_evidence(text)
    assert [(kind, evidence) for _, kind, evidence in rows] == [
        (REVIEW, "sentence_cue"),
        (REVIEW, "neighbour"),
        (PLAN, "sentence_cue"),
        (PLAN, "neighbour"),
    ]


def test_a_sentence_without_cues_takes_the_kind_of_the_next_when_it_opens_the_text() -> None:
    rows = _kinds_and_evidence("新建道路20公里。\n过去一年，全区完成投资80亿元。\n")
    assert rows[0][1:] == (REVIEW, "neighbour")


def test_a_news_lead_with_this_year_is_plan_and_a_byline_is_other() -> None:
    text = (
        "某县政府工作报告提出今年目标\n"
        "（2025年1月10日在某县第十八届人民代表大会第五次会议上）\n"
        "记者从县两会获悉，县政府工作报告提出，今年全县力争地区生产总值增长6%。\n"
    )
    kinds = {body: (kind, evidence) for body, kind, evidence in _kinds_and_evidence(text)}
    byline = normalize("（2025年1月10日在某县第十八届人民代表大会第五次会议上）")
    lead = normalize("记者从县两会获悉，县政府工作报告提出，今年全县力争地区生产总值增长6%。")
    assert kinds[byline] == (OTHER, "front_matter")
    assert kinds[lead] == (PLAN, "sentence_cue")


def test_years_before_the_report_mark_a_review_in_chinese_numerals_too() -> None:
    rows = _kinds_and_evidence("一九八二年全县粮食产量达到5万吨。\n到1985年粮食产量达到6万吨。\n", year=1983)
    assert [kind for _, kind, _ in rows] == [REVIEW, PLAN]


def test_a_base_of_a_change_is_no_time_frame() -> None:
    rows = _kinds_and_evidence("过去一年，全县新建学校5所。\n力争新增学位比去年增加1000个。\n")
    assert rows[1][1:] == (PLAN, "sentence_cue")


def test_a_weak_hint_yields_to_a_firmly_decided_neighbour() -> None:
    text = "过去一年，全区新建学校5所。\n改造老旧小区10个，惠及居民将近3000户。\n"
    rows = _kinds_and_evidence(text)
    # 将 alone is a weak hint of the plan; the review around it decides
    assert rows[1][1:] == (REVIEW, "neighbour")


def test_headings_decide_when_they_decide() -> None:
    text = "一、2024年工作回顾\n今年以来，新建学校5所。\n二、2025年工作安排\n去年新建学校5所，今年新建学校8所。\n"
    rows = _kinds_and_evidence(text)
    assert rows[1][1:] == (REVIEW, "heading")
    assert rows[-1][1:] == (REVIEW, "sentence_cue")  # a plan sentence that opens with 去年 looks back


def test_a_future_year_is_a_deadline_after_dao_and_only_a_hint_otherwise() -> None:
    text = (
        "过去一年，全县新建学校5所。\n明确提出2030年碳排放达峰的行动目标，新增绿地20公顷。\n"
        "到2030年，全县森林覆盖率达到60%。\n"
    )
    rows = _kinds_and_evidence(text)
    assert rows[1][1:] == (REVIEW, "neighbour")  # a bare future year yields to the review around it
    assert rows[2][1:] == (PLAN, "sentence_cue")  # 到2030年 sets a deadline


def test_already_and_formerly_mark_a_review_and_intend_marks_a_plan_against_the_neighbours() -> None:
    text = (
        "今年全县粮食产量将达到5万吨，棉花产量将达到1万吨。\n"
        "据上月统计，参加合作社的农户已经占总农户的80%以上。\n"
        "明年粮食产量要达到6万吨。\n"
        "过去一年，全县新建学校5所。\n"
        "在2025年，全县的征粮总额准备增加到约4亿斤。\n"
        "税费改革取消了原先3亿元的农业税赋。\n"
        "全县新建公路20公里。\n"
    )
    rows = _kinds_and_evidence(text)
    assert [row[1:] for row in rows] == [
        (PLAN, "sentence_cue"),
        (REVIEW, "sentence_cue"),  # 已经: what is done, though the plan surrounds it
        (PLAN, "sentence_cue"),
        (REVIEW, "sentence_cue"),
        (PLAN, "sentence_cue"),  # 准备增加到: what is intended, though a review precedes it
        (REVIEW, "sentence_cue"),  # 了 and 原先 together: the former state
        (REVIEW, "neighbour"),
    ]


def test_a_look_back_inside_a_plan_section_carries_through_its_paragraph() -> None:
    text = (
        "一、2011年工作安排\n"
        "做好今年的工作至关重要。过去一年，我们的各项工作取得了很大成绩。国内生产总值增长10.3%，"
        "城镇新增就业1168万人。今年国内生产总值增长8%左右。城镇新增就业900万人。\n"
        "城镇登记失业率控制在4.6%以内。\n"
    )
    rows = _kinds_and_evidence(text, year=2011)
    assert [row[1:] for row in rows[1:]] == [
        (PLAN, "heading"),
        (REVIEW, "sentence_cue"),
        (REVIEW, "neighbour"),  # the look back carries on
        (PLAN, "heading"),  # 今年 ends it
        (PLAN, "heading"),
        (PLAN, "heading"),  # a new paragraph: the heading decides again
    ]


MIXED_HEADING = """一、1998年工作回顾和1999年工作的总体要求

1998年，国内生产总值达到79553亿元，比上年增长7.8%。
1999年经济增长的预期目标是7%左右。
全国居民消费价格总水平涨幅控制在2%左右。

二、1999年的主要任务

（一）继续扩大国内需求。新增就业800万人。
"""


def test_a_heading_that_names_both_the_review_and_the_plan_decides_nothing() -> None:
    kinds = _kinds(MIXED_HEADING, 1999)
    assert kinds["1998年,国内生产总值达到79553亿元,比上年增长7.8%。"] == REVIEW
    assert kinds["1999年经济增长的预期目标是7%左右。"] == PLAN
    assert kinds["全国居民消费价格总水平涨幅控制在2%左右。"] == PLAN
    assert kinds["新增就业800万人。"] == PLAN
