"""Pure numerical methods: arrays in, arrays and named intermediate values out.

No database and no files here.
"""
