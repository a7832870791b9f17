"""Every label of the web pages in Chinese and English; ``?lang=zh|en`` picks one (kept in a
cookie), Chinese by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
COOKIE = "lang"

LABELS: dict[str, dict[str, str]] = {
    "site_title": {"zh": "产业技术创新战略联盟公共信息平台",
                   "en": "Industrial Technology Innovation Alliances: public platform"},
    "nav_home": {"zh": "首页", "en": "Home"},
    "nav_alliances": {"zh": "联盟名录", "en": "Alliance registry"},
    "nav_map": {"zh": "联盟地图", "en": "Map"},
    "nav_board": {"zh": "供需对接", "en": "Offers and needs"},
    "nav_api": {"zh": "开放接口", "en": "API"},
    "switch_language": {"zh": "English", "en": "中文"},
    "home_intro": {"zh": "本平台公开联盟名录、成员、项目与成果，以及技术供给与需求。",
                   "en": "This platform publishes the registry of alliances, their members, "
                         "projects and outputs, and the technology offers and needs."},
    "count_alliances": {"zh": "联盟", "en": "Alliances"},
    "count_organizations": {"zh": "成员单位", "en": "Organizations"},
    "count_projects": {"zh": "项目", "en": "Projects"},
    "count_outputs": {"zh": "成果", "en": "Outputs"},
    "count_offers": {"zh": "技术供给", "en": "Offers"},
    "count_needs": {"zh": "技术需求", "en": "Needs"},
    "search": {"zh": "搜索", "en": "Search"},
    "search_name": {"zh": "联盟名称", "en": "Alliance name"},
    "filter_industry": {"zh": "产业领域", "en": "Field / industry"},
    "filter_region": {"zh": "所在地区代码（前缀）", "en": "Host region code (prefix)"},
    "filter_kind": {"zh": "联盟类型", "en": "Kind"},
    "filter_batch": {"zh": "批次", "en": "Batch"},
    "filter_stage": {"zh": "发展阶段", "en": "Stage"},
    "sort": {"zh": "排序", "en": "Sort"},
    "sort_name": {"zh": "按名称", "en": "by name"},
    "sort_year": {"zh": "按批准年份", "en": "by approval year"},
    "sort_batch": {"zh": "按批次", "en": "by batch"},
    "any": {"zh": "全部", "en": "any"},
    "apply": {"zh": "查询", "en": "Apply"},
    "results": {"zh": "条结果", "en": "results"},
    "page": {"zh": "页", "en": "page"},
    "previous": {"zh": "上一页", "en": "Previous"},
    "next": {"zh": "下一页", "en": "Next"},
    "none_found": {"zh": "没有符合条件的记录。", "en": "Nothing matches."},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_name_en": {"zh": "英文名称", "en": "English name"},
    "col_industry": {"zh": "产业领域", "en": "Industry"},
    "col_host": {"zh": "所在地区", "en": "Host region"},
    "col_kind": {"zh": "类型", "en": "Kind"},
    "col_stage": {"zh": "阶段", "en": "Stage"},
    "col_batch": {"zh": "批次", "en": "Batch"},
    "col_year": {"zh": "批准年份", "en": "Approval year"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_type": {"zh": "类别", "en": "Type"},
    "col_role": {"zh": "角色", "en": "Role"},
    "col_start": {"zh": "开始", "en": "Start"},
    "col_end": {"zh": "结束", "en": "End"},
    "col_date": {"zh": "日期", "en": "Date"},
    "col_title": {"zh": "标题", "en": "Title"},
    "col_organization": {"zh": "单位", "en": "Organization"},
    "col_published": {"zh": "发布日期", "en": "Published"},
    "col_lead": {"zh": "牵头单位", "en": "Lead organization"},
    "col_count": {"zh": "联盟数", "en": "Alliances"},
    "members": {"zh": "成员", "en": "Members"},
    "projects": {"zh": "项目", "en": "Projects"},
    "outputs": {"zh": "成果", "en": "Outputs"},
    "grade": {"zh": "活跃度评价", "en": "Activity grade"},
    "grade_year": {"zh": "评价年份", "en": "Year graded"},
    "grade_score": {"zh": "得分", "en": "Score"},
    "not_evaluated": {"zh": "尚未评价", "en": "not evaluated"},
    "map_title": {"zh": "联盟所在城市分布", "en": "Alliances by host city"},
    "map_note": {"zh": "仅绘制库中有边界的地区；灰色表示无联盟。",
                 "en": "Only regions with a stored boundary are drawn; grey: no alliance."},
    "map_off": {"zh": "所在地区无边界、未绘制的联盟", "en": "Alliances whose host has no boundary"},
    "map_none": {"zh": "库中没有地区边界，无法绘制地图。",
                 "en": "The store holds no region boundaries, so there is no map."},
    "board_title": {"zh": "技术供给与需求", "en": "Offers and needs board"},
    "board_search": {"zh": "标题或单位", "en": "Title or organization"},
    "offers": {"zh": "技术供给", "en": "Offers"},
    "needs": {"zh": "技术需求", "en": "Needs"},
    "not_found": {"zh": "未找到", "en": "Not found"},
    "did_you_mean": {"zh": "您是否要找", "en": "Did you mean"},
    "bad_request": {"zh": "请求参数有误", "en": "Invalid request"},
    "unavailable": {"zh": "服务暂不可用", "en": "Service unavailable"},
    "back_home": {"zh": "返回首页", "en": "Back to the home page"},
    "footer": {"zh": "公开信息，只读。", "en": "Public information, read only."},
}


def translator(lang: Lang) -> Callable[[str], str]:
    """The label lookup for ``lang``; an unknown key raises ``KeyError``."""

    def t(key: str) -> str:
        return LABELS[key][lang]

    return t
