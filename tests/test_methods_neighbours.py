"""Top-k neighbours: exact against brute force, approximate recall and exact scores, errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from innoalliance.errors import MethodError
from innoalliance.methods.matching.neighbours import (
    TopK,
    recall_at_k,
    top_k,
    top_k_approximate,
    top_k_exact,
)


def random_sparse(rows: int, cols: int, density: float, seed: int) -> sparse.csr_array:
    return sparse.csr_array(sparse.random(rows, cols, density=density, random_state=seed))


def brute_force(queries: np.ndarray, corpus: np.ndarray, k: int) -> tuple[list, list]:
    """Dense cosine, stable argsort; only positive cosines are neighbours."""

    def unit(m: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(norms > 0, norms, 1.0)

    cos = unit(queries) @ unit(corpus).T
    indices, scores = [], []
    for row in cos:
        best = np.argsort(-row, kind="stable")[:k]
        best = best[row[best] > 0]
        indices.append(best.tolist())
        scores.append(row[best])
    return indices, scores


def topic_corpus(n: int, seed: int, vocab: int = 20_000, topics: int = 60) -> sparse.csr_array:
    """TF-IDF-like rows: 25 features of the row's topic (Zipf-weighted), 5 of 30 features common
    to all topics, 5 random ones; tf = 1 + ln(count), idf = ln((1 + n)/(1 + df)) + 1."""
    rng = np.random.default_rng(seed)
    per, common = 150, 30
    features = np.stack(
        [rng.choice(np.arange(common, vocab), per, replace=False) for _ in range(topics)]
    )
    weight = 1 / np.arange(1, per + 1) ** 0.8
    topic = rng.integers(topics, size=n)
    cols = np.hstack(
        [
            features[topic[:, None], rng.choice(per, (n, 25), p=weight / weight.sum())],
            rng.integers(common, size=(n, 5)),
            rng.integers(common, vocab, size=(n, 5)),
        ]
    )
    rows = np.repeat(np.arange(n), cols.shape[1])
    counts = sparse.csr_array((np.ones(rows.size), (rows, cols.ravel())), shape=(n, vocab))
    counts.sum_duplicates()
    counts.data = 1 + np.log(counts.data)
    df = np.bincount(counts.indices, minlength=vocab)
    return sparse.csr_array(counts @ sparse.diags_array(np.log((1 + n) / (1 + df)) + 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_equals_brute_force(seed: int) -> None:
    corpus = random_sparse(400, 300, 0.02, seed)
    queries = random_sparse(60, 300, 0.03, seed + 100)
    found = top_k_exact(queries, corpus, 7)
    indices, scores = brute_force(queries.toarray(), corpus.toarray(), 7)
    assert found.method == "exact" and found.recall is None
    for row, (want, want_scores) in enumerate(zip(indices, scores, strict=True)):
        assert found.indices[row, : len(want)].tolist() == want
        np.testing.assert_allclose(found.scores[row, : len(want)], want_scores, rtol=1e-12)
        assert (found.indices[row, len(want) :] == -1).all()
        assert (found.scores[row, len(want) :] == 0).all()


def test_exact_dense_chunks_and_progress_agree() -> None:
    corpus = random_sparse(300, 50, 0.2, 3)
    queries = random_sparse(40, 50, 0.2, 4)
    whole = top_k_exact(queries, corpus, 5)
    calls: list[tuple[int, int]] = []
    chunked = top_k_exact(queries, corpus, 5, chunk=7, progress=lambda d, t: calls.append((d, t)))
    dense = top_k_exact(queries.toarray(), corpus.toarray().tolist(), 5)
    for other in (chunked, dense):
        assert (other.indices == whole.indices).all()
        np.testing.assert_allclose(other.scores, whole.scores, rtol=1e-12)
    assert calls[-1] == (40, 40) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_k_above_corpus_size_pads() -> None:
    corpus = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    found = top_k_exact(np.array([[1.0, 0.2], [0.0, 0.0]]), corpus, 5)
    assert found.indices.tolist() == [[0, 1, 2, -1, -1], [-1] * 5]
    np.testing.assert_allclose(
        found.scores[0, :3], np.array([1.0, 1.2 / np.sqrt(2), 0.2]) / np.hypot(1, 0.2)
    )


def test_empty_corpus_or_queries() -> None:
    empty, rows = sparse.csr_array((0, 3)), sparse.csr_array(np.eye(3)[:2])
    for search in (top_k_exact, top_k_approximate):
        assert search(rows, empty, 2).indices.tolist() == [[-1, -1], [-1, -1]]
        assert search(empty, rows, 2).indices.shape == (0, 2)


def test_ties_ordered_by_corpus_index() -> None:
    corpus = sparse.csr_array(np.array([[0, 1.0], [1, 0], [0, 2.0], [1, 0], [3, 0]]))
    found = top_k_exact(sparse.csr_array(np.array([[1.0, 0]])), corpus, 2)
    assert found.indices.tolist() == [[1, 3]]


def test_approximate_recall_and_exact_scores() -> None:
    rows = topic_corpus(3300, seed=7)
    corpus, queries = rows[:3000], rows[3000:]
    exact = top_k_exact(queries, corpus, 10)
    approx = top_k_approximate(queries, corpus, 10)
    assert approx.method == "ann"
    assert recall_at_k(approx, exact) >= 0.9
    assert approx.recall is not None and approx.recall >= 0.9
    found = approx.indices >= 0
    pairs = queries[np.nonzero(found)[0]].multiply(corpus[approx.indices[found]]).sum(axis=1)
    norms = sparse.linalg.norm(queries, axis=1)[np.nonzero(found)[0]]
    norms *= sparse.linalg.norm(corpus, axis=1)[approx.indices[found]]
    np.testing.assert_allclose(approx.scores[found], pairs / norms, rtol=1e-10)
    assert (np.diff(approx.scores, axis=1) <= 0).all()


def test_approximate_small_corpus_is_exact() -> None:
    corpus = random_sparse(30, 40, 0.1, 5)
    queries = random_sparse(8, 40, 0.1, 6)
    approx = top_k_approximate(queries, corpus, 4, recall_sample=0)
    exact = top_k_exact(queries, corpus, 4)
    assert approx.recall is None
    assert (approx.indices == exact.indices).all()


def test_top_k_auto_picks_by_size() -> None:
    corpus = random_sparse(50, 20, 0.2, 1)
    assert top_k(corpus, corpus, 3).method == "exact"
    assert top_k(corpus, corpus, 3, method="ann").method == "ann"
    assert top_k(corpus.toarray(), corpus.toarray(), 3).method == "exact"


def test_recall_at_k() -> None:
    exact = TopK(np.array([[1, 2], [3, -1], [-1, -1]]), np.zeros((3, 2)), "exact")
    approx = TopK(np.array([[2, 5], [3, -1], [4, -1]]), np.zeros((3, 2)), "ann")
    assert recall_at_k(approx, exact) == pytest.approx(2 / 3)
    assert recall_at_k(exact, exact) == 1.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: top_k_exact(np.eye(2), np.eye(2), 0), "k = 0"),
        (lambda: top_k_exact(np.eye(2), np.eye(3), 1), "features"),
        (lambda: top_k_exact(np.array([[np.nan, 1.0]]), np.eye(2), 1), "NaN"),
        (lambda: top_k_exact(np.eye(2), np.eye(2), 1, chunk=0), "chunk"),
        (lambda: top_k_approximate(np.eye(2), np.eye(2), 1), "sparse"),
        (lambda: top_k(np.eye(2), np.eye(2), 1, method="hnsw"), "unknown method"),
        (
            lambda: top_k_approximate(
                random_sparse(2, 2, 1, 0), random_sparse(2, 2, 1, 0), 3, candidates=2
            ),
            "candidates",
        ),
        (
            lambda: top_k_approximate(
                random_sparse(2, 2, 1, 0), random_sparse(2, 2, 1, 0), 1, max_df=0
            ),
            "max_df",
        ),
        (
            lambda: recall_at_k(
                TopK(np.zeros((2, 1), int), np.zeros((2, 1)), "ann"),
                TopK(np.zeros((2, 2), int), np.zeros((2, 2)), "exact"),
            ),
            "shape",
        ),
    ],
)
def test_errors(call: object, match: str) -> None:
    with pytest.raises(MethodError, match=match):
        call()
