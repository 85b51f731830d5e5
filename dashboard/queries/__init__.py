"""SQL behind each page, over an in-memory DuckDB that reads the store (never all rows).

Every function takes an open connection (source.open_views) and returns a small result:
aggregates, or a page of rows with a LIMIT. None of them imports Streamlit, so the
benchmark and the tests call them directly; pages call them through cache.load().
"""
