"""A profit game built from an alliance's joint projects: stand-alone values plus synergy.

Each project p has a value V_p (its revenue) and participants with weights w_ip (what each put
in, as shares of the project's inputs). A coalition S realises

    v(S) = Σ_p V_p · (w_p(S))^γ · b_p(S)

where b_p(S) = 1 unless the project joins research (universities, institutes) and industry
partners and S lacks one of the two sides (then 0): a university-industry project needs both
its knowledge and its capital. γ ≥ 1 makes larger parts of a project worth more than
proportionally (γ = 1: proportional to inputs). So v({i}) is each member's stand-alone value and
v(N) − Σ v({i}) the synergy that the allocation rules divide differently: proportional to inputs
ignores the complementarity, the Shapley value and the nucleolus price it. This is
innoalliance's estimation convention, stated in every report, not a published model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods.games.forms import TUGame, as_membership

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ProjectGame(TUGame):
    """v(S) = Σ_p V_p (w_p(S)/w_p(N))^γ over projects p; weights (projects × players)."""

    project_values: FloatArray
    weights: FloatArray
    research: BoolArray  # per player: True for universities and research institutes
    gamma: float = 1.0

    def __post_init__(self) -> None:
        values = np.asarray(self.project_values, dtype=np.float64)
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.ndim != 2 or values.shape != (weights.shape[0],):
            raise MethodError(f"one value per project and a projects × players weight matrix "
                              f"are needed; got {values.shape} and {weights.shape}")
        if not (np.isfinite(values).all() and np.isfinite(weights).all()):
            raise MethodError("project values and weights must be finite numbers")
        if (values < 0).any() or (weights < 0).any():
            raise MethodError("project values and weights must not be negative")
        empty = np.flatnonzero(weights.sum(axis=1) == 0)
        if empty.size:
            raise MethodError(f"project {int(empty[0]) + 1} has no participant with a weight",
                              hint="give each project at least one participant")
        if not (np.isfinite(self.gamma) and self.gamma >= 1.0):
            raise MethodError(f"the synergy exponent γ = {self.gamma} must be ≥ 1",
                              hint="γ = 1: no synergy; γ = 2: half the partners realise a "
                                   "quarter of a project's value")
        research = np.asarray(self.research, dtype=bool)
        if research.shape != (weights.shape[1],):
            raise MethodError("give one research/industry flag per player")
        object.__setattr__(self, "project_values", values)
        object.__setattr__(self, "weights", weights / weights.sum(axis=1, keepdims=True))
        object.__setattr__(self, "research", research)

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.weights.shape[1])

    def _of_members(self, members: BoolArray) -> FloatArray:
        m = np.asarray(members, dtype=np.float64)
        share = np.minimum(m @ self.weights.T, 1.0) ** self.gamma
        takes_part = self.weights > 0
        sides = takes_part.astype(np.float64)
        has_research = (m @ (sides * self.research).T) > 0
        has_industry = (m @ (sides * ~self.research).T) > 0
        mixed = (takes_part & self.research).any(axis=1) & (takes_part & ~self.research).any(axis=1)
        realised = np.where(mixed, has_research & has_industry, True)
        result: FloatArray = (share * realised) @ self.project_values
        return result

    def stand_alone(self) -> FloatArray:
        """v({i}) for every player."""
        return self._of_members(np.eye(self.n, dtype=bool))

    def total(self) -> float:
        """v(N)."""
        return float(self.project_values.sum())

    def _all_values(self) -> FloatArray:
        masks = np.arange(1 << self.n, dtype=np.int64)
        return self._of_members(as_membership(masks, self.n))
