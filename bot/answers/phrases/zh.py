"""Chinese (Traditional script, as the corpus's Chinese tables are written). Names are
"…文", which stand before "資料" as they are ("德文和中文資料"); lists use "、"."""

PHRASES = {
    "found_in_other": "答案出自{langs}資料；原文如下：",
    "not_found": "我在文件中找不到這個問題的答案。",
    "nearest": "最相近的段落：",
    "sources": "來源",
    "coverage": "來源語言分佈",
    "candidates": "候選",
    "ask": "用任何語言提問",
    "send": "提問",
    "documents": "文件",
    "upload": "新增文件",
    "answer_language": "回答語言",
    "search_languages": "搜尋的文件語言",
    "n_sources": "來源數量",
    "auto": "自動",
    "examples": "範例",
    "indexed": "已索引的文件",
    "llm_fallback": "（語言模型沒有回應；以下為摘錄式回答。）",
    "unsupported": "（來源不支持此句）",
    "follow_up": "接續您上一個問題，關於「{subject}」：",
    # The chat window (bot/chat/app.py).
    "language_name": "中文",
    "ui_language": "介面語言",
    "chat": "對話",
    "filters": "篩選",
    "all_when_none": "未勾選時搜尋所有語言",
    "new_chat": "新對話",
    "chars": "字元",
    "sentence": "句子",
    "translations": "其他語言的相同內容",
    "sources_empty": "提出問題：每個回答的來源會顯示在這裡，並標示支持的句子。",
    "cited": "已引用",
    "indexing": "正在索引",
    "upload_done": (
        "已索引 {added} 份新文件與 {changed} 份更新文件（{unchanged} 份未變更）；"
        "索引共有 {chunks} 個段落。"
    ),
    "upload_skipped": "未索引：{name}：{reason}",
    "upload_refused": "已拒絕：{name}：{reason}",
    "upload_types": "格式：{types}",
    "col_document": "文件",
    "col_title": "標題",
    "col_language": "語言",
    "col_chunks": "段落",
    "col_indexed_at": "索引時間",
}

NAMES = {
    "en": "英文", "tr": "土耳其文", "hi": "印地文", "de": "德文", "zh": "中文",
    "es": "西班牙文", "fr": "法文", "ru": "俄文", "ar": "阿拉伯文", "ja": "日文",
    "ko": "韓文", "pt": "葡萄牙文", "it": "義大利文", "nl": "荷蘭文", "pl": "波蘭文",
    "uk": "烏克蘭文", "vi": "越南文", "id": "印尼文", "fa": "波斯文", "sv": "瑞典文",
}  # fmt: skip

CONJUNCTION = "和"
SEPARATOR = "、"
