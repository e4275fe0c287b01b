"""The exact FAISS index, where it always was (the engines live in index/ann/)."""

from index.ann.flat import FlatIPIndex

__all__ = ["FlatIPIndex"]
