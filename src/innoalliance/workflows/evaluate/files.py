"""The evaluation methods on a user's own files, without a store: file in, JSON-ready result out.

Each function reads its input, names every criterion and alternative, calls the method and keeps
its intermediate values, so the CLI only prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from innoalliance.errors import MethodError, Problem, ValidationError
from innoalliance.ingest.decision import read_decision_matrix, read_json_document
from innoalliance.ingest.readers import load_json
from innoalliance.methods._checks import check_types
from innoalliance.methods.mcda.ahp import ahp, geometric_mean_judgments, parse_judgment
from innoalliance.methods.mcda.fuzzy import fuzzy_evaluate
from innoalliance.methods.mcda.topsis import topsis
from innoalliance.methods.mcda.weights import critic_weights, entropy_weights


def _named(names: Sequence[str], values: Any) -> dict[str, float]:
    return {n: round(float(v), 12) for n, v in zip(names, values, strict=True)}


def _number_matrix(rows: object, file: str, key: str) -> np.ndarray:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ValidationError([Problem(file, None, key, None, "must be a list of rows (lists)")])
    cells = [[parse_judgment(cell, f"{key}[{i}][{j}]") for j, cell in enumerate(row)]
             for i, row in enumerate(rows)]
    if len({len(r) for r in cells}) != 1:
        raise ValidationError([Problem(file, None, key, None, "rows must all have one length")])
    return np.array(cells, dtype=np.float64)


def _numbers(value: object, file: str, key: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError([Problem(file, None, key, str(value)[:80],
                                       "must hold only numbers (a list, or a list of rows of "
                                       "equal length)")]) from None


def ahp_file(path: Path, random_index: str = "saaty1980") -> dict[str, Any]:
    """AHP on ``{"criteria": [...], "matrix": [[...]]}``; entries may be numbers or "1/3".

    A group gives ``"matrices"`` (one per expert, optional ``"expert_weights"``) instead; they are
    combined by the weighted geometric mean of each judgment (Aczél & Saaty 1983).
    """
    data = read_json_document(path, ("criteria",))
    criteria = [str(c) for c in data["criteria"]]
    if "matrices" in data:  # a group: one matrix per expert, aggregated cell by cell
        experts = data["matrices"]
        if not isinstance(experts, list) or not experts:
            raise ValidationError([Problem(path.name, None, "matrices", None,
                                           "must be a list of judgment matrices, one per expert")])
        matrix = geometric_mean_judgments(
            [_number_matrix(m, path.name, f"matrices[{k}]") for k, m in enumerate(experts)],
            data.get("expert_weights"))
    elif "matrix" in data:
        matrix = _number_matrix(data["matrix"], path.name, "matrix")
    else:
        raise ValidationError([Problem(path.name, None, "matrix", None,
                                       "is required (or 'matrices', one per expert)")])
    if matrix.shape != (len(criteria), len(criteria)):
        raise MethodError(f"{path.name}: the matrix is {matrix.shape[0]}×{matrix.shape[1]} but "
                          f"there are {len(criteria)} criteria",
                          hint="give one row and one column per criterion, in the same order")
    r = ahp(matrix, random_index=random_index, names=criteria)
    return {
        "weights": _named(criteria, r.weights), "lambda_max": r.lambda_max, "ci": r.ci,
        "cr": r.cr, "ri": r.ri, "random_index": r.random_index, "consistent": r.consistent,
        "threshold": r.threshold, "matrix": matrix.tolist(),
        "inconsistency": [{"judgment": f"{criteria[i]} vs {criteria[j]}", "given": matrix[i, j],
                           "contribution": c, "consistent_value": s}
                          for (i, j, c), s in zip(r.inconsistency[:5], r.suggested[:5],
                                                  strict=False)],
    }


def _types(types: str | None, criteria: list[str]) -> np.ndarray:
    if types is None:
        return np.ones(len(criteria))
    given = [t.strip() for t in types.split(",")]
    if len(given) != len(criteria):
        raise MethodError(f"--types has {len(given)} entries for {len(criteria)} criteria "
                          f"({', '.join(criteria)})", hint="give one benefit or cost per criterion")
    return check_types(given, len(criteria))


def entropy_file(path: Path, normalize: str = "none", types: str | None = None) -> dict[str, Any]:
    """Entropy weights of a decision matrix (first column the alternatives)."""
    m = read_decision_matrix(path)
    r = entropy_weights(m.values, standardize=normalize,  # type: ignore[arg-type]
                        types=None if types is None else _types(types, m.criteria),
                        names=m.criteria)
    return {"weights": _named(m.criteria, r.weights), "entropy": _named(m.criteria, r.entropy),
            "divergence": _named(m.criteria, r.divergence), "standardize": r.standardize}


def critic_file(path: Path, types: str | None = None) -> dict[str, Any]:
    """CRITIC weights of a decision matrix (first column the alternatives)."""
    m = read_decision_matrix(path)
    r = critic_weights(m.values, types=_types(types, m.criteria), names=m.criteria)
    return {"weights": _named(m.criteria, r.weights), "std": _named(m.criteria, r.std),
            "information": _named(m.criteria, r.information)}


def _weights(path: Path, criteria: list[str]) -> np.ndarray:
    data = load_json(path)
    if isinstance(data, Mapping) and "weights" in data:
        data = data["weights"]
    if isinstance(data, Mapping):
        unknown = [k for k in data if k not in criteria]
        absent = [c for c in criteria if c not in data]
        if unknown or absent:
            raise MethodError(f"{path.name}: weights for unknown criteria {unknown} or missing "
                              f"for {absent}", hint=f"name each of {', '.join(criteria)} once")
        data = [data[c] for c in criteria]
    if not isinstance(data, list) or len(data) != len(criteria):
        raise MethodError(f"{path.name}: needs one weight per criterion ({len(criteria)})",
                          hint='write {"criterion": weight, ...} or a list in column order')
    return np.array([parse_judgment(w, f"{path.name}: weight {i + 1}")
                     for i, w in enumerate(data)], dtype=np.float64)


def topsis_file(path: Path, weights: Path, types: str | None,
                normalization: str = "vector") -> dict[str, Any]:
    """TOPSIS closeness and rank of the alternatives of a decision matrix."""
    m = read_decision_matrix(path)
    w = _weights(weights, m.criteria)
    r = topsis(m.values, w, _types(types, m.criteria),
               normalization=normalization,  # type: ignore[arg-type]
               names=m.criteria, alternatives=m.alternatives)
    out = {"closeness": _named(m.alternatives, r.closeness),
           "rank": {a: int(k) for a, k in zip(m.alternatives, r.rank, strict=True)},
           "d_plus": _named(m.alternatives, r.d_plus),
           "d_minus": _named(m.alternatives, r.d_minus),
           "weights": _named(m.criteria, r.weights), "normalization": r.normalization}
    if r.weights_renormalised:
        out["note"] = "the weights did not sum to 1 and were normalised"
    return out


def fuzzy_file(path: Path, operator: str = "weighted-average") -> dict[str, Any]:
    """Fuzzy comprehensive evaluation of ``{"weights", "relation", "grades"}``."""
    data = read_json_document(path, ("weights", "relation"))
    relation, weights = (_numbers(data[key], path.name, key) for key in ("relation", "weights"))
    grades = data.get("grades")
    scores = data.get("grade_scores")
    r = fuzzy_evaluate(weights, relation, operator=operator, grades=grades, grade_scores=scores)
    labels = [str(g) for g in grades] if grades else [f"grade {k + 1}" for k in
                                                       range(relation.shape[1])]
    out: dict[str, Any] = {"membership": _named(labels, r.membership),
                           "normalized": _named(labels, r.normalized),
                           "grade": r.grade if r.grade is not None else labels[r.grade_index],
                           "operator": r.operator}
    if r.score is not None:
        out["score"] = r.score
    if r.weights_renormalised:
        out["note"] = "the weights did not sum to 1 and were normalised"
    return out
