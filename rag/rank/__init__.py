"""Ranking: the retrievers, their fusion, the second stage, and the search facade."""
