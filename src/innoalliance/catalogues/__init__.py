"""Built-in catalogues: GB/T 2260 regions and industry taxonomies."""
