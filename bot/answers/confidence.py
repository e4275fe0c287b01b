"""Is an answer found? The bar a question's evidence must pass to be answered.

The confidence is the log-odds that the first sentence quoted holds the answer, from two
things the answer's own evidence shows:

- **gap**: how far the best sentence's score stands above the best one that says
  something else (cosine units). A question the passages answer has one sentence that
  fits it; an on-topic question they do not answer ("How much does X earn?" about a
  text on X's duties) has many sentences that fit it equally badly.
- **relevance**: the best passage's retrieval relevance (bot/retrieval/retriever.py),
  with each language's background taken off, so a question about nothing in the corpus
  scores low in any language.

Fitted by logistic regression on 300 xquad-dev questions (answer@1 right or not) and 300
made unanswerable by taking their paragraph, in every language, out of the pool; checked
on roles-dev, which it never saw (AUC 0.85; the old measure, the best passage's z-score
against off-topic questions, had 0.51 there). bench/README.md has the trade-off table
the bar was picked from.
"""

from __future__ import annotations

GAP_WEIGHT = 26.6
RELEVANCE_WEIGHT = 9.46
BIAS = -5.40
# When nothing else was found to compare the best sentence with.
LONE_GAP = 0.1
# Log-odds bar: p ~ 0.12. roles-dev: 58.8% answered, 96.7% of them right (at -2.5: 70.6%,
# 83.3%). xquad-dev (1770): 95.5% answered; answer@1 0.742 (with the question's focus,
# bot/answers/focus.py).
MIN_CONFIDENCE = -2.0
# Log-odds taken off when a question asks how much or how many and no sentence that would
# be quoted states a number (bot/answers/quantity.py): the passages are on the topic but
# do not answer. Enough to take any answer of the fitted scale below the bar.
NO_QUANTITY = -6.0
# The confidence of a question no passage matched at all.
NO_EVIDENCE = -10.0


def answerability(gap: float, relevance: float) -> float:
    """Log-odds that the best sentence answers (see the module docstring)."""
    return GAP_WEIGHT * gap + RELEVANCE_WEIGHT * relevance + BIAS
