"""Retrieval policy: which passages answer a query, from which languages (retriever.py),
the second stage that rescores them by their best sentence (rerank.py), and each
passage's background for questions it cannot answer (calibration.py)."""
