"""Indonesian. Names are the bare language names after "berbahasa" ("sumber berbahasa
Jerman dan Mandarin"); three or more take the serial comma ("Inggris, Jerman, dan
Mandarin"), as Indonesian spelling rules (PUEBI) ask. Nouns do not change with a count."""

PHRASES = {
    "found_in_other": (
        "Jawaban atas pertanyaan ini ada di sumber berbahasa {langs}; kutipannya sebagai berikut:"
    ),
    "not_found": "Saya tidak menemukan jawaban atas pertanyaan ini di dalam dokumen.",
    "nearest": "Bagian yang paling mendekati:",
    "sources": "Sumber",
    "coverage": "Sumber menurut bahasa",
    "candidates": "kandidat",
    "ask": "Ajukan pertanyaan dalam bahasa apa pun",
    "send": "Tanya",
    "documents": "Dokumen",
    "upload": "Tambah dokumen",
    "answer_language": "Bahasa jawaban",
    "search_languages": "Bahasa dokumen yang dicari",
    "n_sources": "Jumlah sumber",
    "auto": "otomatis",
    "examples": "Contoh",
    "indexed": "Dokumen terindeks",
    "llm_fallback": "(Model bahasa tidak menjawab; ini jawaban yang dikutip dari sumber.)",
    "unsupported": "(tidak didukung oleh sumbernya)",
    "follow_up": "Tentang “{subject}”, melanjutkan pertanyaan Anda sebelumnya:",
    # The chat window (bot/chat/app.py).
    "language_name": "Bahasa Indonesia",
    "ui_language": "Bahasa antarmuka",
    "chat": "Obrolan",
    "filters": "Filter",
    "all_when_none": "Semua bahasa jika tidak ada yang dicentang",
    "new_chat": "Obrolan baru",
    "chars": "karakter",
    "sentence": "kalimat",
    "translations": "Isi yang sama dalam bahasa lain",
    "sources_empty": (
        "Ajukan pertanyaan: sumber setiap jawaban muncul di sini, dengan kalimat pendukungnya "
        "disorot."
    ),
    "cited": "dikutip",
    "indexing": "Mengindeks",
    "upload_done": (
        "Berhasil mengindeks {added} dokumen baru dan {changed} dokumen yang diperbarui "
        "({unchanged} tidak berubah); indeks berisi {chunks} bagian."
    ),
    "upload_skipped": "Tidak diindeks: {name}: {reason}",
    "upload_refused": "Ditolak: {name}: {reason}",
    "upload_types": "Format: {types}",
    "col_document": "Dokumen",
    "col_title": "Judul",
    "col_language": "Bahasa",
    "col_chunks": "Bagian",
    "col_indexed_at": "Waktu pengindeksan",
}

NAMES = {
    "en": "Inggris", "tr": "Turki", "hi": "Hindi", "de": "Jerman", "zh": "Mandarin",
    "es": "Spanyol", "fr": "Prancis", "ru": "Rusia", "ar": "Arab", "ja": "Jepang",
    "ko": "Korea", "pt": "Portugis", "it": "Italia", "nl": "Belanda", "pl": "Polandia",
    "uk": "Ukraina", "vi": "Vietnam", "id": "Indonesia", "fa": "Persia", "sv": "Swedia",
}  # fmt: skip

CONJUNCTION = " dan "
SERIAL = ", dan "
