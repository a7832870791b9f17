"""Plan: regional diagnosis and the optimal layout of alliances over cities."""
