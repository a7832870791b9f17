"""innoalliance: plan, evaluate and run regional industrial technology innovation alliances."""

__version__ = "0.1.0"
