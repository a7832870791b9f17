"""Pure numerical methods: arrays in, arrays and named intermediate values out.

No database and no files here. Families: ``mcda`` (weights, TOPSIS, fuzzy evaluation,
composites, uncertainty, grading, reputation), ``games`` (game forms, Shapley and Banzhaf,
nucleolus, claims rules, bargaining, the project game), ``matching`` (text relevance,
neighbours, fit, stable matching, assignment), ``spatial`` (structure and complexity, zonal
statistics, RSEI, layout), ``governance`` (enforcement arithmetic, funding indicators).
"""
