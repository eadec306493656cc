"""Chinese full-text search over published service items: jieba words plus BM25 ranking.

A query that names a trade also finds the published 一业一证 bundle for it (see search()), so
"宾馆" leads to 旅馆业“一业一证” and the items it involves, although no item says "宾馆".

The index lives in this process and is rebuilt when a cheap fingerprint of the items and
bundles changes (row counts, highest ids, total length of the searched text, the latest admin
edit of an item, department or bundle, and the catalogue's revision token), so an edit in the
admin or a YAML import shows up on the next search without a search server.

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
from onewindow.bundles.models import Bundle, BundleItem
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
# Fields matched by whole words only. Legal bases are long compound titles, and their fragments
# say nothing of what an item is for: "卫生" must not find the outdoor-advertising approval through
# 《城市市容和环境卫生管理条例》, whose word is 环境卫生 (street cleaning), not 卫生 (hygiene).
WHOLE_WORD_FIELDS = frozenset({"legal_basis"})

# What people call a trade, mapped to the word its bundle uses. Only bundles are looked up with
# these: a supermarket owner types "超市" and is shown the convenience-store bundle, and the
# hotel bundle is found by "客栈" though its summary names only 宾馆、酒店、旅社、民宿.
TRADE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("宾馆", "酒店", "旅店", "旅社", "客栈", "民宿", "招待所"), ("旅馆",)),
    **dict.fromkeys(("超市", "小卖部", "小卖店"), ("便利店",)),
}

# Everyday words for what a business does, and the words the items' own texts use for it: "餐饮"
# finds the food business licence, "书店" the publications retail licence. Added to the query's words,
# never to the index, so an item is only found by what it says.
ITEM_SYNONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("餐饮", "饭店", "餐馆", "餐厅", "小吃", "早餐", "食堂"), ("食品",)),
    **dict.fromkeys(("书店", "书报亭", "报刊亭", "卖书"), ("出版物",)),
    **dict.fromkeys(("卖烟", "香烟", "烟酒店"), ("烟草",)),
    **dict.fromkeys(("游泳馆", "泳池"), ("游泳",)),
    **dict.fromkeys(("歌厅", "舞厅", "游戏厅"), ("娱乐",)),
}

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


def _kept(words: Iterable[str]) -> list[str]:
    stripped = (w.strip() for w in words)
    return [w for w in stripped if w and _WORD.fullmatch(w) and w not in STOPWORDS]


def words(text: str) -> list[str]:
    """jieba's fine-grained cut of a text: every dictionary word, and the shorter words inside it."""
    if not text:
        return []
    with _tokenizer_lock:
        return _kept(_tokenizer.lcut_for_search(normalized(text)))


def whole_words(text: str) -> list[str]:
    """jieba's plain cut of a text: "环境卫生" stays one word, without the "卫生" inside it."""
    if not text:
        return []
    with _tokenizer_lock:
        return _kept(_tokenizer.lcut(normalized(text)))


def tokenize(text: str) -> list[str]:
    """Search words of a text: jieba's fine-grained cut plus character bigrams of Chinese runs.

    The bigrams make a query match even where jieba cuts the document differently
    (e.g. "卫生许可" against "公共场所卫生许可"), and reward phrases kept together.
    """
    tokens = words(text)
    for run in _CJK.findall(normalized(text)):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


@dataclass(frozen=True)
class _BundleEntry:
    id: int
    # Words of the name and industry: "旅馆" and "住宿" say which trade the bundle is for.
    title_words: frozenset[str]
    # The summary also lists departments and the procedure ("公安、消防、卫生健康…", "申请表"):
    # its words count only where no item knows them, see _named_bundles().
    summary_words: frozenset[str]
    item_ids: tuple[int, ...]  # its published items, in the bundle's order


@dataclass(frozen=True)
class _Index:
    fingerprint: tuple[object, ...]
    ids: tuple[int, ...]
    names: tuple[str, ...]  # normalized(), for the exact-name bonus
    fields: dict[str, _BM25 | None]
    vocabulary: frozenset[str]  # every token of every item's searched text
    bundles: tuple[_BundleEntry, ...]  # published, in the order the bundle list shows them


@dataclass(frozen=True)
class Found:
    """What a query finds: items it matches directly, and the bundles for the trade it names."""

    items: list[int]  # ids of items matching the query, best first
    bundles: list[int]  # ids of published bundles the query names, in bundle order
    bundle_items: list[int]  # ids of the bundles' published items that are not among `items`


_index: _Index | None = None
_index_lock = threading.Lock()


def fingerprint() -> tuple[object, ...]:
    """Changes whenever an item or bundle is added, removed, (un)published or its searched text edited.

    Every save or delete of an item, department, bundle or bundle entry (admin, YAML import,
    seed) writes a new catalogue revision token (bundles.api.plan_cache watches them), so a
    rename that keeps the text's length is noticed. The counts and the admin log catch what
    bypasses the signals.
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
    bundle_text_length = (
        Coalesce(Length("name"), 0) + Coalesce(Length("industry"), 0) + Coalesce(Length("summary"), 0)
    )
    bundles = Bundle.objects.aggregate(
        count=Count("id"),
        published=Count("id", filter=Q(is_published=True)),
        max_id=Max("id"),
        text=Sum(bundle_text_length),
    )
    entries = BundleItem.objects.aggregate(count=Count("id"), max_id=Max("id"))
    content_types = ContentType.objects.get_for_models(ServiceItem, Department, Bundle).values()
    last_edit = LogEntry.objects.filter(content_type__in=content_types).aggregate(last=Max("action_time"))[
        "last"
    ]
    revision = read_token(plan_cache.token_file)
    return (
        stats["count"],
        stats["published"],
        stats["max_id"],
        stats["text"],
        tuple(bundles.values()),
        tuple(entries.values()),
        last_edit,
        revision,
    )


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


def _trade_words(text: str) -> frozenset[str]:
    # A single character ("业" of 住宿业, "开" of 开便利店) names no trade.
    return frozenset(word for word in words(text) if len(word) > 1)


def _bundles(published_items: set[int]) -> tuple[_BundleEntry, ...]:
    item_ids: dict[int, list[int]] = {}
    entries = BundleItem.objects.filter(bundle__is_published=True).order_by("bundle", "order", "id")
    for bundle_id, item_id in entries.values_list("bundle_id", "item_id"):
        if item_id in published_items:
            item_ids.setdefault(bundle_id, []).append(item_id)
    rows = list(
        Bundle.objects.filter(is_published=True)
        .order_by("order", "code")
        .values_list("id", "name", "industry", "summary")
    )
    summaries = [_trade_words(summary) for _id, _name, _industry, summary in rows]
    # Words every summary has ("开办", "窗口", "申请表") describe the procedure, not a trade.
    procedure = frozenset.intersection(*summaries) if len(summaries) > 1 else frozenset()
    return tuple(
        _BundleEntry(
            id=bundle_id,
            title_words=_trade_words(f"{name} {industry}"),
            summary_words=summary_words - procedure,
            item_ids=tuple(item_ids.get(bundle_id, ())),
        )
        for (bundle_id, name, industry, _summary), summary_words in zip(rows, summaries, strict=True)
    )


def _build(current: tuple[object, ...]) -> _Index:
    ids: list[int] = []
    names: list[str] = []
    corpora: dict[str, list[list[str]]] = {name: [] for name in FIELD_WEIGHTS}
    for item_id, document in _documents():
        ids.append(item_id)
        names.append(normalized(document["name"]))
        for field_name in FIELD_WEIGHTS:
            cut = whole_words if field_name in WHOLE_WORD_FIELDS else tokenize
            corpora[field_name].append(cut(document[field_name]))
    fields: dict[str, _BM25 | None] = {}
    for field_name, corpus in corpora.items():
        # BM25Okapi divides by the average length: a field that is empty everywhere has no index.
        fields[field_name] = _BM25(corpus) if any(corpus) else None
    vocabulary = frozenset(token for corpus in corpora.values() for document in corpus for token in document)
    return _Index(
        fingerprint=current,
        ids=tuple(ids),
        names=tuple(names),
        fields=fields,
        vocabulary=vocabulary,
        bundles=_bundles(set(ids)),
    )


def _current_index() -> _Index:
    global _index
    current = fingerprint()
    with _index_lock:
        if _index is None or _index.fingerprint != current:
            _index = _build(current)
        return _index


def _ranked_items(index: _Index, query: str, terms: list[str]) -> list[int]:
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


def _named_bundles(index: _Index, query: str) -> list[_BundleEntry]:
    """The bundles whose trade the query names.

    A query word found in a bundle's name or industry names it ("旅馆", "便利店", "住宿"). A word
    of its summary names it only if no item knows that word: "民宿" and "酒店" appear nowhere
    but in the hotel bundle's "开办宾馆、酒店、旅社、民宿等旅馆", while "卫生" or "烟草" in the
    summary's list of departments belong to the items that say them, and find only those.
    """
    asked = _trade_words(query)
    if not asked:
        return []
    synonyms = {synonym for word in asked for synonym in TRADE_SYNONYMS.get(word, ())}
    unknown_to_items = asked - index.vocabulary
    return [
        bundle
        for bundle in index.bundles
        if (asked | synonyms) & bundle.title_words or unknown_to_items & bundle.summary_words
    ]


def search(query: str) -> Found:
    """Items matching the query, and the bundles whose trade it names with their other items.

    The direct matches keep their ranking; the bundles' items follow them, bundle by bundle, so
    a query that only names a trade ("开便利店") still lists what opening one involves.
    """
    query = query.strip()
    terms = list(dict.fromkeys(tokenize(query)))
    if not terms:
        return Found(items=[], bundles=[], bundle_items=[])
    index = _current_index()
    terms += [synonym for term in terms for synonym in ITEM_SYNONYMS.get(term, ()) if synonym not in terms]
    items = _ranked_items(index, query, terms) if index.ids else []
    bundles = _named_bundles(index, query)
    seen = set(items)
    bundle_items: list[int] = []
    for bundle in bundles:
        for item_id in bundle.item_ids:
            if item_id not in seen:
                seen.add(item_id)
                bundle_items.append(item_id)
    return Found(items=items, bundles=[bundle.id for bundle in bundles], bundle_items=bundle_items)


def search_items(query: str) -> list[int]:
    """Ids of published items matching the query, best first; [] for an empty query."""
    return search(query).items


def reset_index() -> None:
    """Forget the in-process index (tests; the fingerprint makes this unnecessary otherwise)."""
    global _index
    with _index_lock:
        _index = None


def ranked(ids: Sequence[int], allowed: Iterable[int]) -> list[int]:
    """The ranked ids restricted to the allowed ones, keeping the ranking."""
    keep = set(allowed)
    return [item_id for item_id in ids if item_id in keep]
