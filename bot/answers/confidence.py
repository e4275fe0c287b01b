"""Is an answer found? The bar a question's evidence must pass to be answered.

Measured as how far the best passage stands above its own background
(bot/retrieval/calibration.py, ``z_scores``): questions the default corpus answers reach
3.5-10 standard deviations; questions about boiling water, football or bread stay below
2.6 (tests/bot/answers/test_composer.py).
"""

from __future__ import annotations

MIN_CONFIDENCE = 3.0
