"""Controlled vocabularies of the domain model.

Values are stored as the lower-case English codes below; each has the Chinese term that the
source documents use, so that files written in either language import.
"""

from __future__ import annotations

from enum import StrEnum


class RegionLevel(StrEnum):
    """GB/T 2260 administrative level."""

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class OrgType(StrEnum):
    """Kind of organization taking part in an alliance."""

    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    GOVERNMENT = "government"
    INTERMEDIARY = "intermediary"
    FINANCIAL_INSTITUTION = "financial_institution"


class OrgSize(StrEnum):
    """Enterprise size class (工信部联企业〔2011〕300号); ``na`` for non-enterprises."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"
    NA = "na"


class AllianceKind(StrEnum):
    """The five kinds of Zhongguancun industrial alliances (seed 004, Yuan 2007)."""

    RD_COOPERATION = "rd_cooperation"
    TECHNICAL_STANDARD = "technical_standard"
    INDUSTRIAL_CHAIN = "industrial_chain"
    MARKET_COOPERATION = "market_cooperation"
    SOCIAL_NORMS = "social_norms"


class Stage(StrEnum):
    """Life-cycle stage of an alliance's industry (seed 000, section III.B)."""

    INCUBATION = "incubation"
    GROWTH = "growth"
    MATURITY = "maturity"


class AllianceStatus(StrEnum):
    """Administrative status of an alliance.

    The life-cycle states are those of :data:`innoalliance.workflows.govern.lifecycle.TRANSITIONS`
    (proposed, approved, operating, under_review, renewed, rectification, dissolved); ``active``
    and ``suspended`` are the older values, still valid in imported files (an ``active`` alliance
    is read as ``operating``, a ``suspended`` one as ``rectification``).
    """

    PROPOSED = "proposed"
    APPROVED = "approved"
    OPERATING = "operating"
    UNDER_REVIEW = "under_review"
    RENEWED = "renewed"
    RECTIFICATION = "rectification"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISSOLVED = "dissolved"


class MemberRole(StrEnum):
    """Role of an organization in an alliance."""

    LEAD = "lead"
    VICE_LEAD = "vice_lead"
    SECRETARIAT = "secretariat"
    MEMBER = "member"
    OBSERVER = "observer"


class CommitmentKind(StrEnum):
    """What a member commits to an alliance."""

    CAPITAL = "capital"
    PERSONNEL = "personnel"
    EQUIPMENT = "equipment"
    IP = "ip"


class CapitalChannel(StrEnum):
    """Capital channels of a project budget (seed 000, section III.C)."""

    GOVERNMENT = "government"
    BANK = "bank"
    VENTURE = "venture"
    MEMBERS = "members"
    SOCIAL = "social"


class ProjectStatus(StrEnum):
    """Status of a joint project."""

    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutputType(StrEnum):
    """What an alliance produced."""

    PATENT = "patent"
    STANDARD = "standard"
    PRODUCT = "product"
    REVENUE = "revenue"


class EventType(StrEnum):
    """Governance events recorded against an alliance."""

    DISPUTE = "dispute"
    VIOLATION = "violation"
    REPORT = "report"


CHINESE_TERMS: dict[str, str] = {
    "省": "province", "地级": "prefecture", "市": "prefecture", "县": "county", "区县": "county",
    "企业": "enterprise", "高校": "university", "大学": "university",
    "科研院所": "research_institute", "研究院所": "research_institute",
    "政府": "government", "中介机构": "intermediary", "金融机构": "financial_institution",
    "大型": "large", "中型": "medium", "小型": "small", "微型": "micro",
    "研发合作": "rd_cooperation", "技术标准": "technical_standard",
    "产业链合作": "industrial_chain", "市场合作": "market_cooperation",
    "社会规范": "social_norms",
    "孵化期": "incubation", "成长期": "growth", "成熟期": "maturity",
    "拟建": "proposed", "已批准": "approved", "运行": "active", "暂停": "suspended",
    "撤销": "dissolved", "评估中": "under_review", "续期": "renewed", "整改": "rectification",
    "理事长单位": "lead", "牵头单位": "lead", "副理事长单位": "vice_lead",
    "秘书处": "secretariat", "成员": "member", "成员单位": "member", "观察员": "observer",
    "资金": "capital", "人员": "personnel", "设备": "equipment", "知识产权": "ip",
    "政府专项资金": "government", "银行信贷": "bank", "创业投资引导基金": "venture",
    "成员出资": "members", "社会资本": "social",
    "计划": "planned", "进行中": "ongoing", "完成": "completed", "失败": "failed",
    "取消": "cancelled",
    "专利": "patent", "标准": "standard", "产品": "product", "收入": "revenue",
    "纠纷": "dispute", "违约": "violation", "报告": "report",
}
