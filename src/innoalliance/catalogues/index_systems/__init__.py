"""Built-in index systems (YAML), one file per system."""
