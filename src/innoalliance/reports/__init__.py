"""Self-contained HTML reports (Jinja2 templates, Plotly charts with the library inlined)."""
