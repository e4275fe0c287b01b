"""Retrieval policy: which passages answer a query, from which languages (retriever.py);
the second stage rescores them by their best sentence, whose vectors the index stores
(index/sentences.py); and each passage's background for questions it cannot answer
(calibration.py)."""
