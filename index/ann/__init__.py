"""Vector search engines behind one interface (``base.VectorIndex``), one file per engine.

``flat.FlatIPIndex`` is exact and whole-store (every index below ``ANN_MIN_CHUNKS`` chunks
in every language, so small corpora get exactly the results they always had);
``ivf.LanguageIVFIndex`` keeps one index per language, approximate (IVF-SQ8) for the
languages at or above the threshold and exact for the rest. ``choose`` picks one for a
new generation, ``open_index`` reads the one a generation's manifest names.
"""

from index.ann.base import VectorIndex
from index.ann.choice import ANN_MIN_CHUNKS, AnnConfig, choose, open_index

__all__ = ["ANN_MIN_CHUNKS", "AnnConfig", "VectorIndex", "choose", "open_index"]
