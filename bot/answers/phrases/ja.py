"""Japanese. Names are "…語", which take "の資料" as they are ("ドイツ語と中国語の資料");
two are joined by "と", three or more by "、" only ("英語、ドイツ語、中国語"), as
Japanese lists read. The phrase starts with the names, so no particle precedes them."""

PHRASES = {
    "found_in_other": "{langs}の資料に答えがあります。該当箇所は次のとおりです：",
    "not_found": "文書の中にこの質問の答えは見つかりませんでした。",
    "nearest": "最も近い箇所：",
    "sources": "出典",
    "coverage": "言語別の出典",
    "candidates": "候補",
    "ask": "どの言語でも質問できます",
    "send": "質問する",
    "documents": "文書",
    "upload": "文書を追加",
    "answer_language": "回答の言語",
    "search_languages": "検索する文書の言語",
    "n_sources": "出典の数",
    "auto": "自動",
    "examples": "例",
    "indexed": "登録済みの文書",
    "llm_fallback": "（言語モデルが応答しなかったため、出典からの抜粋で回答しています。）",
    "unsupported": "（出典による裏付けなし）",
    "follow_up": "前の質問に続いて、「{subject}」について：",
    # The chat window (bot/chat/app.py).
    "language_name": "日本語",
    "ui_language": "表示言語",
    "chat": "チャット",
    "filters": "フィルター",
    "all_when_none": "何も選択しない場合はすべての言語",
    "new_chat": "新しいチャット",
    "chars": "文字",
    "sentence": "文",
    "translations": "他の言語での同じ内容",
    "sources_empty": "質問すると、各回答の出典がここに表示され、根拠となる文が強調表示されます。",
    "cited": "引用",
    "indexing": "インデックス作成中",
    "upload_done": (
        "新規 {added} 件、更新 {changed} 件の文書をインデックスに登録しました（変更なし "
        "{unchanged} 件）。インデックスの段落数は {chunks} です。"
    ),
    "upload_skipped": "登録されませんでした：{name}：{reason}",
    "upload_refused": "受け付けられませんでした：{name}：{reason}",
    "upload_types": "対応形式：{types}",
    "col_document": "文書",
    "col_title": "タイトル",
    "col_language": "言語",
    "col_chunks": "段落数",
    "col_indexed_at": "登録日時",
}

NAMES = {
    "en": "英語", "tr": "トルコ語", "hi": "ヒンディー語", "de": "ドイツ語", "zh": "中国語",
    "es": "スペイン語", "fr": "フランス語", "ru": "ロシア語", "ar": "アラビア語",
    "ja": "日本語", "ko": "韓国語", "pt": "ポルトガル語", "it": "イタリア語",
    "nl": "オランダ語", "pl": "ポーランド語", "uk": "ウクライナ語", "vi": "ベトナム語",
    "id": "インドネシア語", "fa": "ペルシア語", "sv": "スウェーデン語",
}  # fmt: skip

CONJUNCTION = "と"
SEPARATOR = "、"
SERIAL = "、"
