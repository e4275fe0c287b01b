"""Retrieval policy: which passages answer a query, from which languages (retriever.py),
and the second stage that rescores them by their best sentence (rerank.py)."""
