"""Multi-criteria decision analysis: weights, TOPSIS, fuzzy evaluation, composites, uncertainty,
grading, reputation."""
