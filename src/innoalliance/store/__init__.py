"""Engine and session from a URL, migrations, queries."""
