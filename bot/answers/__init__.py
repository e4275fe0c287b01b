"""Answers out of passages: the extractive composer with its citations (composer.py),
the not-found bar (confidence.py), the support check (support.py), translations of cited
sentences (translations.py), the fixed phrases in every language (phrases/, a module per
language) and the optional answers written by a language model (llm.py, generate.py)."""
