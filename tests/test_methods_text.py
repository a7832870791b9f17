"""Tokens, TF-IDF relevance and explanations on small hand-made Chinese and English texts."""

from __future__ import annotations

import numpy as np
import pytest

from innoalliance.errors import MethodError
from innoalliance.methods.matching.text import (
    fit_index,
    knowledge_gap,
    relevance,
    shared_terms,
    tokenize,
    vectorize,
)

# constructed for these tests: one matching offer, two near misses, two unrelated ones
NEED = "高镍三元正极材料量产工艺"
OFFERS = [
    "碳化硅功率半导体器件封装与可靠性测试",
    "高镍三元正极材料共沉淀制备与包覆改性技术",
    "生物医药临床试验数据管理服务",
    "磷酸铁锂电池回收与梯次利用",
    "锂离子电池电解液添加剂",
]
TERMS = ("高镍三元", "正极材料", "碳化硅功率半导体", "动力电池")


def test_user_terms_kept_whole_and_private() -> None:
    text = "碳化硅功率半导体器件与动力电池"
    assert tokenize(text, user_terms=TERMS)[:3] == ["碳化硅功率半导体", "器件", "动力电池"]
    assert "碳化硅功率半导体" not in tokenize(text)
    assert tokenize(NEED, user_terms=["高镍三元", "正极材料"]) == [
        "高镍三元",
        "正极材料",
        "量产",
        "工艺",
    ]
    assert "高镍三元" not in tokenize(NEED)


def test_mixed_english_chinese_and_stopwords() -> None:
    words = tokenize("Lithium-ion Battery 的 动力电池 and SiC MOSFET 技术, 2023年 a")
    assert words == ["lithium", "ion", "battery", "动力电池", "sic", "mosfet", "年"]
    assert tokenize("技术与方法", user_terms=["技术"]) == ["技术"]


def test_user_term_with_space_is_refused() -> None:
    with pytest.raises(MethodError, match="'lithium ion'"):
        tokenize("x", user_terms=["lithium ion"])


@pytest.mark.parametrize("analyzer", ["char", "word"])
def test_matching_offer_ranks_first(analyzer: str) -> None:
    index = fit_index(OFFERS, analyzer=analyzer, user_terms=TERMS)
    scores = relevance(index, [NEED]).toarray()[0]
    assert scores.argmax() == 1
    assert scores[1] > 2 * np.delete(scores, 1).max()
    assert scores[0] == scores[2] == 0


def test_relevance_is_cosine() -> None:
    index = fit_index(OFFERS, ids=[f"o{i}" for i in range(5)])
    np.testing.assert_allclose(relevance(index, OFFERS).diagonal(), 1.0)
    needs = vectorize(index, [NEED, "完全无关的内容 xyz"])
    np.testing.assert_allclose(
        relevance(index, [NEED]).toarray(), (needs @ index.matrix.T)[[0]].toarray()
    )
    assert needs[[1]].nnz == 0


def test_shared_terms_and_gap() -> None:
    offer = OFFERS[1]
    assert shared_terms(NEED, offer, user_terms=TERMS) == ["高镍三元", "正极材料"]
    assert shared_terms(NEED, offer) == ["三元", "正极", "材料"]
    assert knowledge_gap(NEED, offer, user_terms=TERMS) == ["量产", "工艺"]
    assert knowledge_gap(NEED, offer + "；中试线已实现吨级量产，工艺成熟") == []
    assert shared_terms(NEED, OFFERS[2]) == []


def test_idf_orders_terms() -> None:
    index = fit_index([*OFFERS, "正极材料检测", "三元前驱体"], analyzer="word")
    idf = index.idf()
    assert idf["三元"] < idf["共沉淀"]
    assert shared_terms(NEED, OFFERS[1], idf={"三元": 1.0, "正极": 3.0, "材料": 2.0}) == [
        "正极",
        "材料",
        "三元",
    ]
    assert shared_terms(NEED, OFFERS[1], top=1) == ["三元"]


def test_latin_words_match_whole() -> None:
    assert shared_terms("ion implantation", "collaboration on implantation") == ["implantation"]
    assert knowledge_gap("ion implantation", "collaboration") == ["implantation", "ion"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fit_index(["氢能储运", "  ，。"], ids=["o1", "o2"]), "text 'o2'"),
        (lambda: fit_index(["氢能储运", ""]), "text 2"),
        (lambda: fit_index(["氢能储运", "燃料电池"], ids=["o1", "o1"]), "id 'o1' is given twice"),
        (lambda: fit_index(["氢能储运"], ids=["o1", "o2"]), "2 id"),
        (lambda: fit_index("氢能储运"), "one string"),
        (lambda: fit_index(["氢能储运"], analyzer="bpe"), "unknown analyzer"),
        (lambda: fit_index(["氢能储运"], min_df=0), "min_df"),
        (lambda: fit_index(["氢能储运", "燃料电池"], min_df=2), "lower min_df"),
        (lambda: relevance(fit_index(["氢能储运"]), ["x", None], need_ids=["n1", "n2"]), "'n2'"),
        (lambda: shared_terms(NEED, OFFERS[1], top=0), "top"),
    ],
)
def test_errors(call: object, match: str) -> None:
    with pytest.raises(MethodError, match=match):
        call()
