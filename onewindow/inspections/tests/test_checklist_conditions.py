"""The checklist is the item's acceptance conditions, one line or sentence per entry."""

from __future__ import annotations

from onewindow.inspections.services import FALLBACK_CONDITION, checklist_conditions


def test_conditions_split_into_sentences_without_numbering_or_introductions() -> None:
    text = "申请人应当具备下列条件：\n1. 有固定的经营场所；设置前台。\n（2）安装视频监控系统\n三、配备治安保卫人员！"
    assert checklist_conditions(text) == [
        "有固定的经营场所",
        "设置前台",
        "安装视频监控系统",
        "配备治安保卫人员",
    ]


def test_an_item_without_conditions_still_gets_one_entry() -> None:
    assert checklist_conditions("  \n") == [FALLBACK_CONDITION]
