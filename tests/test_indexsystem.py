"""Index systems as data: the built-in ones load, a user's YAML is checked with every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from innoalliance.errors import InnoallianceError, UnknownReference, ValidationError
from innoalliance.ingest.indexsystem import built_in_systems, load_system, parse_system
from innoalliance.methods.mcda.grading import MOST_ACTIVITY_BANDS
from innoalliance.workflows.evaluate.measures import check_measure
from innoalliance.workflows.evaluate.weighting import build_tree, system_weights

GOOD = """
name: mine
title: My system
unit: alliance
normalization: goalposts
bands: {good: 60, poor: 0}
goal:
  weighting: {method: ahp, judgments: [[1, 3], ["1/3", 1]]}
  children:
    - code: a
      name: Dimension A
      weighting: {method: fixed, weights: [2, 2]}
      children:
        - {code: x, measure: alliance.patents, goalposts: [0, 10]}
        - {code: y, measure: alliance.violations, direction: cost, goalposts: [0, 3]}
    - {code: z, measure: alliance.members, goalposts: [0, 20]}
"""


def test_built_in_systems_load_and_name_real_measures() -> None:
    names = built_in_systems()
    assert {"alliance_activity", "alliance_performance", "regional_innovation",
            "member_contribution"} <= set(names)
    for name in names:
        system = load_system(name)
        for indicator in system.indicators():
            check_measure(system.unit, indicator.measure)
    activity = load_system("alliance_activity")
    assert activity.bands == MOST_ACTIVITY_BANDS
    # the three dimensions of the MOST evaluation from 2016 on
    assert [c.name_zh for c in activity.goal.children] == ["组织运行", "协同创新", "带动产业发展"]
    performance = load_system("alliance_performance")
    assert [c.name_zh for c in performance.goal.children] == ["科技水平提升", "联盟建设",
                                                              "产业竞争力"]


def test_user_system_with_mixed_depths_becomes_a_padded_tree(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD, encoding="utf-8")
    system = load_system(str(path))
    weights = system_weights(system, None)  # type: ignore[arg-type]  # no data-driven weights
    assert weights["goal"].weights == pytest.approx((0.75, 0.25))
    assert weights["a"].weights == pytest.approx((0.5, 0.5))
    assert weights["a"].detail == {"renormalised": True}
    layout = build_tree(system, weights)
    assert layout.indicator_order == ("x", "y", "z")
    # z sits one level higher than x and y: it is carried down by a pass-through node
    assert layout.level_codes[1] == ("a", None)
    assert layout.tree.effective_weights() == pytest.approx([0.375, 0.375, 0.25])


def test_every_problem_of_a_bad_system_is_reported_at_once() -> None:
    bad = """
name: broken
title: Broken
unit: aliance
normalization: goalposts
goal:
  weighting: {method: ahp, judgments: [[1, "x"], [1, 1]]}
  children:
    - code: a
      weighting: entropy
      children:
        - {code: b, measure: alliance.patents}
        - code: c
          children: [{code: b, measure: alliance.members, goalposts: [1, 1]}]
    - {code: d, measure: alliance.members, direction: up, goalposts: [0, 5]}
"""
    with pytest.raises(ValidationError) as caught:
        parse_system(bad, "broken.yaml")
    described = "\n".join(p.describe() for p in caught.value.problems)
    assert "system.unit" in described and "'alliance'" in described
    assert "goal.weighting.judgments[0][1]" in described
    assert "goal.children[0].weighting" in described  # entropy over a dimension
    assert "goal.children[0].children[0].goalposts" in described  # required with goalposts
    assert "is used twice" in described
    assert "two different numbers" in described
    assert "goal.children[1].direction" in described
    assert all(p.file == "broken.yaml" for p in caught.value.problems)


def test_not_yaml_and_unknown_names_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"x\.yaml is not a valid index system") as caught:
        parse_system("name: [unclosed", "x.yaml")
    assert "not valid YAML" in caught.value.problems[0].rule
    with pytest.raises(UnknownReference) as caught:
        load_system("alliance_activty")
    assert caught.value.closest == "alliance_activity"
    with pytest.raises(InnoallianceError, match="no such index system file"):
        load_system(str(tmp_path / "absent.yaml"))
    with pytest.raises(UnknownReference) as measure:
        check_measure("alliance", "alliance.patent")
    assert measure.value.closest == "alliance.patents"
