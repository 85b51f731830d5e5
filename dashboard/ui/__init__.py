"""Pieces of pages: the time window, auto-refresh, charts, number formats, review detail."""
