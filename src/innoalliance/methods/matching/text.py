"""Text relevance of technology offers to needs: tokens, TF-IDF, shared terms and gaps.

Texts are mostly Chinese, which has no spaces between words, so scikit-learn's default token
pattern would take a whole clause for one word. Two analyzers:

* ``"char"`` (default, needs no dictionary): character 2–3-grams within runs of letters and
  digits — text lower-cased, punctuation and spaces made word boundaries (scikit-learn's
  ``char_wb``). Robust for Chinese and for unseen technical terms; English words are split too.
* ``"word"``: :func:`tokenize` — jieba (Sun J., https://github.com/fxsjy/jieba, v0.42) in precise
  mode, with the caller's domain terms added to its dictionary so that "碳化硅功率半导体" stays one
  word; English lower-cased; punctuation, numbers, single Latin letters and a small built-in list
  of Chinese and English stopwords dropped (user terms are never dropped).

TF-IDF as in scikit-learn's ``TfidfVectorizer``: tf = 1 + ln(count) (``sublinear_tf``), smoothed
idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised, so a dot product of rows is their cosine
(Manning, Raghavan & Schütze, Introduction to Information Retrieval, 2008, ch. 6). The IDF comes
from the offers — the corpus searched — and needs are transformed with it: terms no offer uses
cannot match, and leaving them out only rescales each need's row, so every need ranks the offers
the same way. For top-k search over many offers use :mod:`innoalliance.methods.matching.neighbours`.

:func:`shared_terms` and :func:`knowledge_gap` explain a match in words (jieba words of ≥ 2
characters, Latin words of ≥ 3 letters) ordered by how specific they are: rarer first when an IDF
mapping is given, then longer, then in order of appearance; a word inside an already listed one
is left out.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import sparse

from innoalliance.errors import MethodError, MissingExtra
from innoalliance.methods._checks import label

_CHINESE_STOPWORDS = (  # function words, and the generic words every offer and need uses
    "的 地 得 了 着 过 和 与 及 以及 或 或者 等 等等 在 为 对 对于 于 关于 由 从 向 将 把"
    " 被 给 以 其 之 并 并且 且 而 也 都 又 该 此 这 那 这些 那些 一种 一个 一些 各 各种"
    " 每 有 是 不 可 可以 能 能够 会 要 需 需要 需求 要求 希望 进行 通过 用于 基于 包括"
    " 具有 实现 提供 相关 有关 方面 主要 我们 我 我司 本 公司 企业 单位 目前 现有 已 已经"
    " 如何 如 例如 技术 方法 研究 开发 研发 应用 问题 项目 领域"
)
_ENGLISH_STOPWORDS = (
    "a an the and or of for to in on at by with from as is are be been was were this that these"
    " those it its we our us you your they their which who what how can could will would should"
    " may into based using use used via such other than then also not no but if all any some more"
    " most technology technologies method methods research development"
)
_STOPWORDS = frozenset(_CHINESE_STOPWORDS.split() + _ENGLISH_STOPWORDS.split())
_NON_WORD = re.compile(r"[\W_]+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class TextIndex:
    """A fitted TF-IDF vectorizer and the L2-normalised rows of the texts it was fitted on.

    ``matrix`` is documents × features (CSR); ``ids`` name the documents in messages (``None``:
    their 1-based positions); ``analyzer`` and ``user_terms`` are as given to :func:`fit_index`.
    """

    vectorizer: Any
    matrix: sparse.csr_array
    ids: tuple[str, ...] | None
    analyzer: Literal["char", "word"]
    user_terms: frozenset[str]

    def idf(self) -> dict[str, float]:
        """Feature → its IDF weight (words for a ``"word"`` index, for :func:`shared_terms`)."""
        names = self.vectorizer.get_feature_names_out()
        return dict(zip(names.tolist(), self.vectorizer.idf_.tolist(), strict=True))


def tokenize(text: str, *, user_terms: Iterable[str] = ()) -> list[str]:
    """The words of ``text``: jieba precise mode with ``user_terms`` kept whole, lower-cased.

    Punctuation, numbers, single Latin letters and stopwords are dropped (see the module
    docstring); a user term is never dropped. Each set of user terms gets a jieba tokenizer of
    its own (the global one is left alone), cached.
    """
    terms = _user_terms(user_terms)
    words = (w.strip() for w in _tokenizer(terms).cut(text.lower()))
    return [w for w in words if w in terms or _is_word(w)]


def fit_index(
    texts: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    analyzer: Literal["char", "word"] = "char",
    ngram_range: tuple[int, int] | None = None,
    user_terms: Iterable[str] = (),
    min_df: int = 1,
) -> TextIndex:
    """Fit TF-IDF on ``texts`` (the offers) and return the index (conventions: module docstring).

    ``ngram_range`` defaults to (2, 3) characters for ``"char"`` and (1, 1) words for ``"word"``;
    features in fewer than ``min_df`` texts are dropped. An empty or punctuation-only text, a
    repeated id, or ids not one per text raise :class:`MethodError` naming it.
    """
    _check_texts(texts, ids)
    terms = _user_terms(user_terms)
    if isinstance(min_df, bool) or not isinstance(min_df, int) or min_df < 1:
        raise MethodError(f"min_df = {min_df!r} is not a whole number >= 1", hint="e.g. 1 or 2")
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as exc:
        raise MissingExtra("text", "text relevance") from exc
    if analyzer == "char":
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=ngram_range or (2, 3), preprocessor=_normalise
        )
    elif analyzer == "word":
        vectorizer = TfidfVectorizer(
            tokenizer=functools.partial(tokenize, user_terms=terms),
            token_pattern=None,
            lowercase=False,
            ngram_range=ngram_range or (1, 1),
        )
    else:
        raise MethodError(f"unknown analyzer {analyzer!r}", hint="use 'char' or 'word'")
    vectorizer.set_params(sublinear_tf=True, min_df=min_df, dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform(list(texts))
    except ValueError as exc:  # no feature left after min_df
        raise MethodError(f"no {analyzer} features: {exc}", hint="lower min_df") from None
    return TextIndex(
        vectorizer,
        sparse.csr_array(matrix),
        None if ids is None else tuple(ids),
        analyzer,
        terms,
    )


def vectorize(
    index: TextIndex, texts: Sequence[str], *, ids: Sequence[str] | None = None
) -> sparse.csr_array:
    """TF-IDF rows (L2-normalised, CSR) of ``texts`` in the features and IDF of ``index``.

    Checked as in :func:`fit_index`; a text sharing no feature with the index gets a zero row.
    """
    _check_texts(texts, ids)
    return sparse.csr_array(index.vectorizer.transform(list(texts)))


def relevance(
    index_offers: TextIndex, need_texts: Sequence[str], *, need_ids: Sequence[str] | None = None
) -> sparse.csr_array:
    """Cosine similarity of each need (rows) to each offer of ``index_offers`` (columns).

    Sparse (CSR): pairs sharing no feature are not stored. Needs are transformed with the
    offers' vectorizer (IDF from the offers; see the module docstring). For the best few offers
    per need in a large corpus, use :func:`innoalliance.methods.matching.neighbours.top_k` on
    :func:`vectorize` output instead of this full matrix.
    """
    needs = vectorize(index_offers, need_texts, ids=need_ids)
    return sparse.csr_array(needs @ index_offers.matrix.T)


def shared_terms(
    need: str,
    offer: str,
    *,
    user_terms: Iterable[str] = (),
    top: int = 8,
    idf: Mapping[str, float] | None = None,
) -> list[str]:
    """Up to ``top`` words (of either text) that both the need and the offer contain.

    Ordered by specificity (module docstring); ``idf`` is e.g. :meth:`TextIndex.idf` of a
    ``"word"`` index, a word missing from it counting as the rarest.
    """
    words = _words(need, user_terms) + _words(offer, user_terms)
    need_text, offer_text = _normalise(need), _normalise(offer)
    common = [w for w in words if _occurs(w, need_text) and _occurs(w, offer_text)]
    return _most_specific(common, idf, top)


def knowledge_gap(
    need: str,
    offer_record: str,
    *,
    user_terms: Iterable[str] = (),
    top: int = 8,
    idf: Mapping[str, float] | None = None,
) -> list[str]:
    """Up to ``top`` words of the need that the supplier's record does not contain.

    ``offer_record`` is everything known of the supplier as one text (its offers, capability,
    output names). Ordered and ``idf`` as in :func:`shared_terms`.
    """
    record = _normalise(offer_record)
    return _most_specific([w for w in _words(need, user_terms) if not _occurs(w, record)], idf, top)


def _normalise(text: str) -> str:
    """Lower-cased, with every run of punctuation, symbols and spaces made one space."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def _is_word(word: str) -> bool:
    if not word or word in _STOPWORDS or not _LETTER.search(word):
        return False
    return not word.isascii() or len(word) > 1


def _words(text: str, user_terms: Iterable[str]) -> list[str]:
    """Distinct explanation words of ``text`` in order: ≥ 2 characters, Latin ones ≥ 3."""
    return list(_cached_words(text, _user_terms(user_terms)))


@functools.lru_cache(maxsize=1 << 16)
def _cached_words(text: str, terms: frozenset[str]) -> tuple[str, ...]:
    """:func:`_words`, cached: explaining many pairs segments each text once."""
    words = tokenize(text, user_terms=terms)
    return tuple(dict.fromkeys(w for w in words if len(w) >= (3 if w.isascii() else 2)))


def _occurs(word: str, text: str) -> bool:
    """Whether ``text`` (normalised) contains ``word``: as a substring, a Latin word whole."""
    if word.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None
    return word in text


def _most_specific(words: list[str], idf: Mapping[str, float] | None, top: int) -> list[str]:
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise MethodError(f"top = {top!r} is not a whole number >= 1", hint="e.g. top=8")
    rarest = max(idf.values(), default=0.0) if idf else 0.0
    order = sorted(
        range(len(words)),
        key=lambda i: (-(idf.get(words[i], rarest) if idf else 0.0), -len(words[i]), i),
    )
    kept: list[str] = []
    for word in (words[i] for i in order):
        if len(kept) < top and not any(_occurs(word, longer) for longer in kept):
            kept.append(word)
    return kept


def _user_terms(user_terms: Iterable[str]) -> frozenset[str]:
    if isinstance(user_terms, str):
        raise MethodError(f"user_terms is one string, {user_terms!r}", hint="give a list of terms")
    terms = set()
    for term in user_terms:
        word = str(term).strip().lower()
        if any(ch.isspace() for ch in word):
            raise MethodError(
                f"user term {term!r} contains a space",
                hint="give terms as single words, e.g. '动力电池'",
            )
        if word:
            terms.add(word)
    return frozenset(terms)


def _check_texts(texts: Sequence[str], ids: Sequence[str] | None) -> None:
    if isinstance(texts, str):
        raise MethodError("texts is one string, not a list of texts", hint="wrap it in a list")
    if ids is not None:
        if isinstance(ids, str) or len(ids) != len(texts):
            raise MethodError(
                f"{len(ids)} id(s) for {len(texts)} text(s)", hint="give one id per text, in order"
            )
        seen: dict[str, int] = {}
        for i, name in enumerate(ids):
            if name in seen:
                raise MethodError(
                    f"id {name!r} is given twice (positions {seen[name] + 1} and {i + 1})",
                    hint="give every text an id of its own",
                )
            seen[name] = i
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not _normalise(text):
            raise MethodError(
                f"{label('text', i, ids)} is empty or not text: {text!r}",
                hint="give every record a description, or leave the record out",
            )


@functools.cache
def _jieba() -> Any:
    """The jieba module, imported quietly (it may warn about pkg_resources and logs to stderr)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import jieba
    except ImportError as exc:
        raise MissingExtra("text", "Chinese word segmentation") from exc
    jieba.setLogLevel(logging.WARNING)
    return jieba


@functools.cache
def _base_tokenizer() -> Any:
    tokenizer = _jieba().Tokenizer()
    tokenizer.initialize()
    return tokenizer


@functools.lru_cache(maxsize=8)
def _tokenizer(terms: frozenset[str]) -> Any:
    """A private jieba tokenizer: the default dictionary plus ``terms``."""
    base = _base_tokenizer()
    if not terms:
        return base
    tokenizer = _jieba().Tokenizer()
    # a copy of the loaded dictionary, rather than loading it again (about a second)
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(base.FREQ), base.total, True
    for term in sorted(terms):
        tokenizer.add_word(term)
    return tokenizer
