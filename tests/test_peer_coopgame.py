"""Agreement with an independent implementation: coopgame-py (Rust, exact LP certification).

coopgame takes the 2ⁿ − 1 values without the empty coalition in binary order (bit i ↔ player i),
ours the 2ⁿ values with it; otherwise the conventions match (nucleolus over imputations, raw
Banzhaf value, Aumann–Maschler Talmud rule).
"""

from __future__ import annotations

import coopgame
import numpy as np
import pytest

from innoalliance.methods.games.claims import claims_rule
from innoalliance.methods.games.nucleolus import nucleolus
from innoalliance.methods.games.shapley import banzhaf_value, shapley_exact

SEEDS = range(12)


def random_game(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    v = rng.integers(0, 40, 2**n).astype(float)
    v[0] = 0.0
    v[-1] = v.max() * 1.5  # a grand coalition worth having, so imputations exist
    for i in range(n):
        v[1 << i] = min(v[1 << i], v[-1] / (2 * n))
    return v


@pytest.mark.parametrize("seed", SEEDS)
def test_shapley_banzhaf_nucleolus_agree(seed: int) -> None:
    v = random_game(seed)
    theirs = coopgame.Game(v[1:].tolist())
    assert shapley_exact(v).values == pytest.approx(coopgame.shapley(theirs), abs=1e-9)
    assert banzhaf_value(v).values == pytest.approx(coopgame.banzhaf(theirs), abs=1e-9)
    assert nucleolus(v).values == pytest.approx(coopgame.nucleolus(theirs)["allocation"],
                                                abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_claims_rules_agree(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    claims = rng.integers(1, 500, int(rng.integers(2, 7))).astype(float)
    estate = float(rng.uniform(0, claims.sum()))
    peers = {"talmud": coopgame.talmud, "cea": coopgame.constrained_equal_awards,
             "cel": coopgame.constrained_equal_losses}
    for rule, theirs in peers.items():
        ours = claims_rule(rule, estate, claims).awards
        assert ours == pytest.approx(theirs(estate, claims.tolist()), abs=1e-9), rule
