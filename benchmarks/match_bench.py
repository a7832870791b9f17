"""Benchmark: the 10 most relevant of 100,000 technology offers for each of 10,000 needs.

On one synthetic Chinese-like corpus (seeded; see ``make_texts``) it fits character 2–3-gram
TF-IDF on the offers (``fit_index``), vectorises the needs, then times, in the same process on
the same matrices: scikit-learn's brute-force cosine ``NearestNeighbors`` (what a user would
write: the baseline), ``top_k_exact`` and ``top_k_approximate``, and reports the recall@10 of the
approximate search against the exact one. It also measures the route of a dense reduction
(truncated SVD, sparse random projection) searched by an ANN index: as an upper bound for any
index over those vectors, an exact dense search on a sample of needs, its 100 best re-ranked by
exact TF-IDF cosine. It only prints; nothing is asserted.

Run: ``python benchmarks/match_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.neighbors import NearestNeighbors
from sklearn.random_projection import SparseRandomProjection

from innoalliance.methods.matching.neighbours import (
    TopK,
    recall_at_k,
    top_k_approximate,
    top_k_exact,
)
from innoalliance.methods.matching.text import fit_index, vectorize

SEED = 20240601
GENERIC = (
    "技术 研究 开发 制备 应用 系统 方法 工艺 设备 材料 提供 服务 解决 提高 降低 成本 性能 产业化"
    " 关键 核心 研发 设计 检测 分析 优化 控制 生产 新型 高效 智能 基于 一种 及其 用于 实现"
)


def make_texts(offers: int, needs: int) -> tuple[list[str], list[str]]:
    """Offers (15–44 words) and needs (8–24 words) of 30 fields × 15 topics × 30 terms.

    Each field writes its 2–4-character terms with 150 characters of its own (drawn from 3,000
    CJK characters, Zipf-weighted, so related terms share characters). A text takes 60 % of its
    words from its topic, 20 % from a second topic of the same field (30 % of texts), 20 % from
    any topic of the field; then 20 % of the words are replaced by generic words (技术, 研究, …)
    and a tenth followed by a comma.
    """
    rng = np.random.default_rng(SEED)
    fields, topics, size = 30, 15, 30
    pool = [chr(c) for c in rng.choice(np.arange(0x4E00, 0x9FA5), 3000, replace=False)]
    char_w = 1 / np.arange(1, 3001)
    terms: list[str] = []
    for _ in range(fields):
        chars = rng.choice(pool, 150, replace=False, p=char_w / char_w.sum())
        field_w = 1 / np.sqrt(np.arange(1, 151))
        for length in rng.choice([2, 2, 2, 3, 3, 4], topics * size):
            terms.append("".join(rng.choice(chars, length, p=field_w / field_w.sum())))
    generic_words = GENERIC.split()
    words = np.array(terms + generic_words + ["，"])
    topic_terms = np.arange(len(terms)).reshape(fields * topics, size)
    term_w = 1 / np.arange(1, size + 1) ** 0.8

    def texts(n: int, low: int, high: int) -> list[str]:
        length = rng.integers(low, high, n)
        owner = np.repeat(np.arange(n), length)
        first = rng.integers(fields * topics, size=n)
        field = first // topics * topics
        second = np.where(rng.random(n) < 0.3, field + rng.integers(topics, size=n), first)
        draw = rng.random(owner.size)
        anywhere = field[owner] + rng.integers(topics, size=owner.size)
        topic = np.where(draw < 0.6, first[owner], np.where(draw < 0.8, second[owner], anywhere))
        token = topic_terms[topic, rng.choice(size, owner.size, p=term_w / term_w.sum())]
        generic = len(terms) + rng.integers(len(generic_words), size=owner.size)
        token = np.where(rng.random(owner.size) < 0.2, generic, token)
        token = np.where(rng.random(owner.size) < 0.1, len(words) - 1, token)
        ends = np.cumsum(length)
        return ["".join(words[token[a:b]]) + "。" for a, b in zip(ends - length, ends, strict=True)]

    return texts(offers, 15, 45), texts(needs, 8, 25)


def measured(call: Callable[[], TopK]) -> tuple[float, TopK, float]:
    """Seconds of one run, its result, and the peak MiB a second run allocates (tracemalloc)."""
    start = time.perf_counter()
    found = call()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, found, peak


def sklearn_baseline(queries: sparse.csr_array, corpus: sparse.csr_array, k: int) -> TopK:
    """scikit-learn's brute-force cosine neighbours (its default chunking, one core)."""
    index = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(corpus)
    distance, indices = index.kneighbors(queries)
    return TopK(indices.astype(np.int64), 1 - distance, "exact")


def dense_route(
    reducer: TruncatedSVD | SparseRandomProjection,
    fit_rows: sparse.csr_array,
    queries: sparse.csr_array,
    corpus: sparse.csr_array,
    exact: TopK,
    pool: int,
) -> tuple[float, float]:
    """Seconds to fit and reduce, and recall@k of the best ``pool`` by exact dense search in the
    reduced space re-ranked by exact sparse cosine: an upper bound for any ANN index there.

    The reducer sees only the features ``fit_rows`` holds (the SVD: those at least two sampled
    offers use; 4 GB less per dense features × dims matrix, and a feature of one offer shapes
    no component anyway)."""
    start = time.perf_counter()
    used = np.flatnonzero(np.bincount(fit_rows.indices, minlength=fit_rows.shape[1]))
    reducer.fit(fit_rows[:, used])
    reduced_c, reduced_q = reducer.transform(corpus[:, used]), reducer.transform(queries[:, used])
    seconds = time.perf_counter() - start
    reduced_c /= np.maximum(np.linalg.norm(reduced_c, axis=1, keepdims=True), 1e-12)
    reduced_q /= np.maximum(np.linalg.norm(reduced_q, axis=1, keepdims=True), 1e-12)
    candidates = np.argpartition(-(reduced_q @ reduced_c.T), pool, axis=1)[:, :pool]
    rows = np.repeat(np.arange(queries.shape[0]), pool)
    cos = queries[rows].multiply(corpus[candidates.ravel()]).sum(axis=1).reshape(candidates.shape)
    k = exact.indices.shape[1]
    best = np.take_along_axis(candidates, np.argsort(-cos, axis=1)[:, :k], 1)
    return seconds, recall_at_k(TopK(best, np.zeros(best.shape), "ann"), exact)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dims", type=int, default=256, help="dimensions of the dense routes")
    parser.add_argument(
        "--dense-sample", type=int, default=1000, help="needs searched in the dense routes"
    )
    args = parser.parse_args()
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)

    offer_texts, need_texts = make_texts(args.offers, args.needs)
    start = time.perf_counter()
    index = fit_index(offer_texts)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    queries = vectorize(index, need_texts)
    vec_s = time.perf_counter() - start
    corpus, k = index.matrix, args.k
    console.print(
        f"{args.offers:,} offers ({np.mean([len(t) for t in offer_texts]):.0f} characters on"
        f" average) × {args.needs:,} needs ({np.mean([len(t) for t in need_texts]):.0f}):"
        f" {corpus.shape[1]:,} character 2–3-grams, {corpus.nnz:,} + {queries.nnz:,} non-zeros;"
        f" fit_index {fit_s:.1f} s, vectorize {vec_s:.1f} s; maxrss {peak_mib():,.0f} MiB"
    )

    with console.status("scikit-learn NearestNeighbors (brute, cosine) …"):
        base_s, base, base_mib = measured(lambda: sklearn_baseline(queries, corpus, k))
    with console.status("top_k_exact …"):
        exact_s, exact, exact_mib = measured(lambda: top_k_exact(queries, corpus, k))
    with console.status("top_k_approximate …"):
        approx_s, approx, approx_mib = measured(lambda: top_k_approximate(queries, corpus, k))

    table = Table(title=f"top-{k} of {args.offers:,} offers for {args.needs:,} needs")
    for name in ("", "seconds", "ratio to baseline", f"recall@{k} vs exact", "peak MiB"):
        table.add_column(name, justify="right" if name else "left")
    rows = [
        ("scikit-learn NearestNeighbors (baseline)", base_s, recall_at_k(base, exact), base_mib),
        ("innoalliance top_k_exact", exact_s, None, exact_mib),
        ("innoalliance top_k_approximate", approx_s, recall_at_k(approx, exact), approx_mib),
    ]
    for name, seconds, recall, mib in rows:
        shown = "(reference)" if recall is None else f"{recall:.4f}"
        table.add_row(name, f"{seconds:.1f}", f"{base_s / seconds:.1f}×", shown, f"{mib:,.0f}")
    console.print(table)
    console.print(
        f"approximate ÷ exact time: {approx_s / exact_s:.2f}; recall the approximate search"
        f" measured itself on 256 needs: {approx.recall:.4f}; max |score − exact score| over"
        f" the pairs both found: {score_gap(approx, exact):.2g}"
    )
    console.print(f"peak memory of the process so far (maxrss): {peak_mib():,.0f} MiB")

    rng = np.random.default_rng(SEED)
    sample = np.sort(rng.choice(args.needs, min(args.dense_sample, args.needs), replace=False))
    truth = TopK(exact.indices[sample], exact.scores[sample], "exact")
    fitted = min(20_000, args.offers)
    sampled = corpus[np.sort(rng.choice(args.offers, fitted, replace=False))]
    shared = sampled.copy()
    shared.data[np.bincount(sampled.indices, minlength=corpus.shape[1])[sampled.indices] < 2] = 0
    shared.eliminate_zeros()
    routes = {
        f"truncated SVD, {args.dims} dims, fitted on {fitted:,} offers": (
            TruncatedSVD(args.dims, n_iter=2, random_state=SEED),
            shared,
        ),
        f"sparse random projection, {args.dims} dims": (
            SparseRandomProjection(args.dims, dense_output=True, random_state=SEED),
            corpus,
        ),
        f"sparse random projection, {4 * args.dims} dims": (
            SparseRandomProjection(4 * args.dims, dense_output=True, random_state=SEED),
            corpus,
        ),
    }
    dense = Table(title=f"dense routes, {sample.size:,} needs, 100 candidates re-ranked exactly")
    for name in ("reduction", "fit + transform s", f"recall@{k} (upper bound)"):
        dense.add_column(name, justify="left" if name == "reduction" else "right")
    for name, (reducer, fit_rows) in routes.items():
        with console.status(name):
            seconds, recall = dense_route(
                reducer, fit_rows, queries[sample], corpus, truth, pool=100
            )
        dense.add_row(name, f"{seconds:.1f}", f"{recall:.3f}")
    console.print(dense)
    console.print(f"peak memory of the whole run (maxrss): {peak_mib():,.0f} MiB")


def peak_mib() -> float:
    """The process's peak resident memory; Linux reports ru_maxrss in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score_gap(approx: TopK, exact: TopK) -> float:
    """Largest difference between the two searches' scores of the same (need, offer) pair."""
    same = (approx.indices[:, :, None] == exact.indices[:, None, :]) & (approx.indices >= 0)[
        :, :, None
    ]
    q, a, e = np.nonzero(same)
    return float(np.abs(approx.scores[q, a] - exact.scores[q, e]).max(initial=0.0))


if __name__ == "__main__":
    main()
