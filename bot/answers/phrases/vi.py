"""Vietnamese. Names carry their "tiếng" ("các nguồn bằng tiếng Đức và tiếng Trung");
Vietnamese nouns do not change with a count."""

PHRASES = {
    "found_in_other": "Câu trả lời có trong các nguồn bằng {langs}; các đoạn trích như sau:",
    "not_found": "Tôi không tìm thấy câu trả lời cho câu hỏi này trong tài liệu.",
    "nearest": "Các đoạn gần nhất là:",
    "sources": "Nguồn",
    "coverage": "Nguồn theo ngôn ngữ",
    "candidates": "ứng viên",
    "ask": "Đặt câu hỏi bằng bất kỳ ngôn ngữ nào",
    "send": "Hỏi",
    "documents": "Tài liệu",
    "upload": "Thêm tài liệu",
    "answer_language": "Ngôn ngữ trả lời",
    "search_languages": "Ngôn ngữ tài liệu cần tìm",
    "n_sources": "Số nguồn",
    "auto": "tự động",
    "examples": "Ví dụ",
    "indexed": "Tài liệu đã lập chỉ mục",
    "llm_fallback": "(Mô hình ngôn ngữ không trả lời; đây là câu trả lời trích từ nguồn.)",
    "unsupported": "(không được nguồn xác nhận)",
    "follow_up": "Về “{subject}”, tiếp theo câu hỏi trước của bạn:",
    # The chat window (bot/chat/app.py).
    "language_name": "Tiếng Việt",
    "ui_language": "Ngôn ngữ giao diện",
    "chat": "Trò chuyện",
    "filters": "Bộ lọc",
    "all_when_none": "Tất cả ngôn ngữ nếu không chọn ngôn ngữ nào",
    "new_chat": "Cuộc trò chuyện mới",
    "chars": "ký tự",
    "sentence": "câu",
    "translations": "Cùng nội dung bằng ngôn ngữ khác",
    "sources_empty": (
        "Hãy đặt câu hỏi: nguồn của mỗi câu trả lời sẽ hiện ở đây, kèm câu làm căn cứ được tô sáng."
    ),
    "cited": "đã trích dẫn",
    "indexing": "Đang lập chỉ mục",
    "upload_done": (
        "Đã lập chỉ mục {added} tài liệu mới và {changed} tài liệu được cập nhật "
        "({unchanged} tài liệu không đổi); chỉ mục có {chunks} đoạn."
    ),
    "upload_skipped": "Không lập chỉ mục được: {name}: {reason}",
    "upload_refused": "Bị từ chối: {name}: {reason}",
    "upload_types": "Định dạng: {types}",
    "col_document": "Tài liệu",
    "col_title": "Tiêu đề",
    "col_language": "Ngôn ngữ",
    "col_chunks": "Đoạn",
    "col_indexed_at": "Thời điểm lập chỉ mục",
}

NAMES = {
    "en": "tiếng Anh", "tr": "tiếng Thổ Nhĩ Kỳ", "hi": "tiếng Hindi", "de": "tiếng Đức",
    "zh": "tiếng Trung", "es": "tiếng Tây Ban Nha", "fr": "tiếng Pháp", "ru": "tiếng Nga",
    "ar": "tiếng Ả Rập", "ja": "tiếng Nhật", "ko": "tiếng Hàn", "pt": "tiếng Bồ Đào Nha",
    "it": "tiếng Ý", "nl": "tiếng Hà Lan", "pl": "tiếng Ba Lan", "uk": "tiếng Ukraina",
    "vi": "tiếng Việt", "id": "tiếng Indonesia", "fa": "tiếng Ba Tư",
    "sv": "tiếng Thụy Điển",
}  # fmt: skip

CONJUNCTION = " và "
