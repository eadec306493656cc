"""Chinese full-text search over published service items: jieba words plus BM25 ranking.

The index lives in this process and is rebuilt when a cheap fingerprint of the items
table changes (row count, highest id, total length of the searched text, the latest admin
edit of an item or department, and the catalogue's revision token), so an edit in the admin
or a YAML import shows up on the next search without a search server.

Text is compared in its NFKC form, so the full-width "ＧＢ／Ｔ　３１９６２" that a Chinese input
method types finds what "GB/T 31962" finds.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jieba
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce, Length
from rank_bm25 import BM25Okapi

from onewindow.bundles.api import plan_cache
from onewindow.catalog.models import Department, ServiceItem
from onewindow.lib.revision import read_token

# Weight of a match in each searched field: a word in the item's name says far more
# about what the applicant wants than the same word somewhere in the legal basis.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "result_name": 2.0,
    "department": 1.5,
    "conditions": 1.0,
    "legal_basis": 0.6,
}
# Added when the whole query appears verbatim in the item's name.
EXACT_NAME_BONUS = 5.0

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff]+")
# Words that say nothing about which item is meant.
STOPWORDS = frozenset(
    {
        *("的", "了", "和", "与", "及", "或", "等", "在", "对", "为", "是", "由", "其", "之", "以"),
        *("于", "并", "应", "按", "中", "个", "有", "我", "要", "办", "怎么", "如何", "哪里"),
    }
)


class _BM25(BM25Okapi):
    """BM25 with Lucene's idf, which stays positive.

    BM25Okapi's idf turns negative for a word found in more than half of the documents,
    and a catalogue of one or two items would then match nothing at all.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


_tokenizer = jieba.Tokenizer()
_tokenizer_lock = threading.Lock()


def normalized(text: str) -> str:
    """The text as search compares it: full-width letters, digits and spaces made half-width, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """Search words of a text: jieba's fine-grained cut plus character bigrams of Chinese runs.

    The bigrams make a query match even where jieba cuts the document differently
    (e.g. "卫生许可" against "公共场所卫生许可"), and reward phrases kept together.
    """
    if not text:
        return []
    text = normalized(text)
    with _tokenizer_lock:
        words = _tokenizer.lcut_for_search(text)
    tokens = [w.strip() for w in words]
    tokens = [w for w in tokens if w and _WORD.fullmatch(w) and w not in STOPWORDS]
    for run in _CJK.findall(text):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


@dataclass(frozen=True)
class _Index:
    fingerprint: tuple[object, ...]
    ids: tuple[int, ...]
    names: tuple[str, ...]  # normalized(), for the exact-name bonus
    fields: dict[str, _BM25 | None]


_index: _Index | None = None
_index_lock = threading.Lock()


def fingerprint() -> tuple[object, ...]:
    """Changes whenever an item is added, removed, (un)published or its searched text edited.

    Every save or delete of an item or department (admin, YAML import, seed) writes a new
    catalogue revision token (bundles.api.plan_cache watches them), so a rename that keeps the
    text's length is noticed. The counts and the admin log catch what bypasses the signals.
    """
    text_length = (
        Coalesce(Length("name"), 0)
        + Coalesce(Length("conditions"), 0)
        + Coalesce(Length("legal_basis"), 0)
        + Coalesce(Length("result_name"), 0)
        + Coalesce(Length("department__name"), 0)
    )
    stats = ServiceItem.objects.aggregate(
        count=Count("id"),
        published=Count("id", filter=Q(is_published=True)),
        max_id=Max("id"),
        text=Sum(text_length),
    )
    content_types = ContentType.objects.get_for_models(ServiceItem, Department).values()
    last_edit = LogEntry.objects.filter(content_type__in=content_types).aggregate(last=Max("action_time"))[
        "last"
    ]
    revision = read_token(plan_cache.token_file)
    return (stats["count"], stats["published"], stats["max_id"], stats["text"], last_edit, revision)


def _documents() -> Iterable[tuple[int, dict[str, str]]]:
    rows = (
        ServiceItem.objects.filter(is_published=True)
        .order_by("department__order", "code")
        .values_list(
            "id",
            "name",
            "result_name",
            "department__name",
            "department__short_name",
            "conditions",
            "legal_basis",
        )
    )
    for item_id, name, result_name, department, short_name, conditions, legal_basis in rows:
        yield (
            item_id,
            {
                "name": name,
                "result_name": result_name,
                "department": f"{department} {short_name}",
                "conditions": conditions,
                "legal_basis": legal_basis,
            },
        )


def _build(current: tuple[object, ...]) -> _Index:
    ids: list[int] = []
    names: list[str] = []
    corpora: dict[str, list[list[str]]] = {name: [] for name in FIELD_WEIGHTS}
    for item_id, document in _documents():
        ids.append(item_id)
        names.append(normalized(document["name"]))
        for field_name in FIELD_WEIGHTS:
            corpora[field_name].append(tokenize(document[field_name]))
    fields: dict[str, _BM25 | None] = {}
    for field_name, corpus in corpora.items():
        # BM25Okapi divides by the average length: a field that is empty everywhere has no index.
        fields[field_name] = _BM25(corpus) if any(corpus) else None
    return _Index(fingerprint=current, ids=tuple(ids), names=tuple(names), fields=fields)


def _current_index() -> _Index:
    global _index
    current = fingerprint()
    with _index_lock:
        if _index is None or _index.fingerprint != current:
            _index = _build(current)
        return _index


def search_items(query: str) -> list[int]:
    """Ids of published items matching the query, best first; [] for an empty query."""
    query = query.strip()
    terms = list(dict.fromkeys(tokenize(query)))
    if not terms:
        return []
    index = _current_index()
    if not index.ids:
        return []
    totals = [0.0] * len(index.ids)
    for field_name, weight in FIELD_WEIGHTS.items():
        bm25 = index.fields[field_name]
        if bm25 is None:
            continue
        for position, score in enumerate(bm25.get_scores(terms)):
            totals[position] += weight * float(score)
    query = normalized(query)
    matched: list[tuple[float, int, int]] = []
    for position, (item_id, name) in enumerate(zip(index.ids, index.names, strict=True)):
        score = totals[position]
        if query in name:
            score += EXACT_NAME_BONUS
        if score > 0:
            matched.append((-score, position, item_id))
    matched.sort()
    return [item_id for _score, _position, item_id in matched]


def reset_index() -> None:
    """Forget the in-process index (tests; the fingerprint makes this unnecessary otherwise)."""
    global _index
    with _index_lock:
        _index = None


def ranked(ids: Sequence[int], allowed: Iterable[int]) -> list[int]:
    """The ranked ids restricted to the allowed ones, keeping the ranking."""
    keep = set(allowed)
    return [item_id for item_id in ids if item_id in keep]
