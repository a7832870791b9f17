"""The project synergy game built from the ledger: its defining cases, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from innoalliance.errors import MethodError
from innoalliance.methods.games.project_game import ProjectGame


def test_complementarity_of_research_and_industry() -> None:
    # one project worth 100: a firm put in 90 %, a university 10 %
    game = ProjectGame(np.array([100.0]), np.array([[9.0, 1.0]]), np.array([False, True]))
    v = game.values()
    assert v.tolist() == [0.0, 0.0, 0.0, 100.0]  # neither side realises anything alone
    assert game.stand_alone().tolist() == [0.0, 0.0] and game.total() == 100.0


def test_proportional_without_synergy_and_power_with_it() -> None:
    # two firms on one project, inputs 3:1, no research partner: no complementarity
    linear = ProjectGame(np.array([80.0]), np.array([[3.0, 1.0]]), np.array([False, False]))
    assert linear.values().tolist() == [0.0, 60.0, 20.0, 80.0]
    power = ProjectGame(np.array([80.0]), np.array([[3.0, 1.0]]), np.array([False, False]),
                        gamma=2.0)
    assert power.values().tolist() == pytest.approx([0.0, 45.0, 5.0, 80.0])


def test_projects_add_up_and_bad_input_is_refused() -> None:
    game = ProjectGame(np.array([10.0, 20.0]), np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]),
                       np.array([False, False, False]))
    v = game.values()
    assert v[0b111] == 30.0 and v[0b010] == pytest.approx(5.0 + 10.0)
    with pytest.raises(MethodError, match="no participant"):
        ProjectGame(np.array([1.0]), np.array([[0.0, 0.0]]), np.array([False, False]))
    with pytest.raises(MethodError, match="γ"):
        ProjectGame(np.array([1.0]), np.array([[1.0]]), np.array([False]), gamma=0.5)
