"""Synonyms as words (issue 13): every word of a group is one word wherever it stands, even one the
segmenter would cut apart; a keyword is the shop's literal trigger word, not broadened by a group;
`ask` and the try box name the synonyms that fired."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from replybook.coverage.forms import match_form, match_forms, synonyms_fired, words
from replybook.coverage.live import MatcherCache, answer
from replybook.coverage.matching import Matcher
from replybook.coverage.outcomes import LibraryEntry
from replybook.coverage.synonyms import SynonymMap, as_map, fired_for, starter_lexicon
from replybook.library import entries
from replybook.library import synonyms as syn
from replybook.store import db
from tests.conftest import CAMPAIGN_START, Cli

LEXICON = as_map(starter_lexicon())


# ---------------------------------------------------------------- one word wherever it stands


@pytest.mark.parametrize(
    ("question", "same_as", "fired"),
    [
        # 寄回去 alone is 寄 / 回去 to the segmenter, 邮寄回去 is 邮寄 / 回去
        ("寄回去要自己出运费吗", "退货要自己出运费吗", ("寄回去", "退货")),
        ("衣服不合适怎么寄回去", "衣服不合适怎么退货", ("寄回去", "退货")),
        ("我已经邮寄回去了", "我已经邮退货了", ("寄回去", "退货")),
        # 人工客服 is 人工 / 客服, and 客服 is a core word of its own
        ("我要转人工客服", "我要转人工", ("人工客服", "人工")),
        ("人工客服在不在", "人工在不在", ("人工客服", "人工")),
        # 线下店 is 线下 / 店, and 线下 a similar word of another group (实体)
        ("有没有线下店呀", "有没有实体店呀", ("线下店", "实体店")),
    ],
)
def test_a_similar_word_the_segmenter_cuts_apart_fires_in_context(
    question: str, same_as: str, fired: tuple[str, str]
) -> None:
    assert fired[0] in words(question, LEXICON)
    assert match_form(question, LEXICON) == match_form(same_as, LEXICON)
    assert fired in synonyms_fired(question, LEXICON)


def test_every_word_of_the_starter_lexicon_is_one_word_in_a_sentence() -> None:
    for group in starter_lexicon():
        for word in (group["word"], *group["similar"]):
            key = match_form(word)  # as the map holds it: folded (啥子 → 什么子)
            if len(key) > 1 and word.isalpha():
                assert key in words(f"请问{word}怎么说", LEXICON), word


def test_a_core_word_cut_apart_is_not_rewritten_by_its_own_similar_word() -> None:
    # 粉丝群 is 粉丝 / 群 to the segmenter, and 群 → 粉丝群: once this read 粉丝粉丝群
    assert match_form("粉丝群怎么进", LEXICON) == "粉丝群进"
    assert match_form("群怎么进", LEXICON) == "粉丝群进"
    assert synonyms_fired("粉丝群怎么进", LEXICON) == []


def test_a_word_of_the_dictionary_is_not_found_inside_another_word() -> None:
    # 发出 (→ 发货) is a word the segmenter keeps whole on its own: it is left to the segmenter
    assert match_form("沙发出现裂缝", LEXICON) == match_form("沙发出现裂缝")
    assert synonyms_fired("沙发出现裂缝", LEXICON) == []


def test_a_shop_word_is_one_word_and_a_group_edit_applies_at_once() -> None:
    shop = SynonymMap({"七天无理由": "无理由退货"})
    assert words("支持七天无理由吗", shop)[1] == "七天无理由"
    assert match_form("支持七天无理由吗", shop) == match_form("支持无理由退货吗", shop)
    shop["保价"] = "价保"  # 保价 is a word of the dictionary already, 价保 not
    assert shop.whole is not None and shop.whole.pattern == "七天无理由|无理由退货|价保"  # longest first
    assert match_form("能保价吗", shop) == match_form("能价保吗", shop)


def test_a_shop_synonym_the_segmenter_cuts_apart_fires_in_ask(cli: Cli) -> None:
    # 寄回哪里 is 寄回 / 哪里, and 寄回 a similar word of the starter group 退货: the longer one fires
    assert cli("synonyms", "add", "退货地址", "寄回哪里").exit_code == 0
    asked = cli("ask", "请问寄回哪里呀")
    assert "同义词：寄回哪里 → 退货地址" in asked.output


# ---------------------------------------------------------------- keywords, literally


def _library() -> list[LibraryEntry]:
    return [
        LibraryEntry(1, "查物流", "shipping", ("查物流",), keywords=("物流",), answers=("点订单看物流",)),
        LibraryEntry(2, "退货地址是什么", "after_sales", ("退货地址是什么",), answers=("仓库地址",)),
    ]


def test_a_keyword_is_not_broadened_by_its_synonym_group() -> None:
    m = Matcher(_library(), synonyms=LEXICON)
    literal = m.classify("物流信息一直不动")
    assert (literal.status, literal.entry_id, literal.matched, literal.score) == ("covered", 1, "物流", 80.0)
    # 快递 is 物流's core word: the wordings meet on it, the keyword does not fire
    other = m.classify("快递信息一直不动")
    assert other.matched != "物流" and other.score < m.keyword_score
    assert m.top("快递信息一直不动")[0].keyword is False and m.top("物流信息一直不动")[0].keyword is True
    # the same in a run of many (the two share a form, not an outcome) and in the try box's pass
    out = m.match_many(["物流信息一直不动", "快递信息一直不动", "物流信息一直不动"])
    assert [m.result(out, i).score for i in range(3)] == [80.0, other.score, 80.0]
    assert answer(m, "快递信息一直不动")[0] == other
    before = Matcher(_library(), synonyms=LEXICON, literal_keywords=False)  # as keywords were read
    assert before.classify("快递信息一直不动").matched == "物流"


def test_a_keyword_forms_before_the_synonyms_and_the_wordings_after() -> None:
    assert match_forms("包裹到哪了", LEXICON) == (match_form("包裹到哪了", LEXICON), match_form("包裹到哪了"))
    assert match_forms("包裹到哪了", LEXICON) == ("快递哪", "包裹哪")


def test_the_try_box_matcher_reads_keywords_literally_after_an_edit(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        syn.add_synonym(s, word="快递", similar=["物流", "包裹"])
        entries.create_entry(
            s,
            data=entries.EntryData(
                category="shipping", question="查物流", keywords=["物流"], answers=["好的"]
            ),
        )
    cache = MatcherCache()
    with db.session_scope(engine) as s:
        live = cache.get(s, CAMPAIGN_START)
        built = Matcher.build(s, at=CAMPAIGN_START)
    for question in ("物流信息一直不动", "包裹信息一直不动", "物流"):
        assert answer(live, question) == answer(built, question), question
    assert answer(live, "包裹信息一直不动")[0].matched == "查物流"
    assert fired_for(live.synonyms, "包裹信息一直不动", answer(live, "包裹信息一直不动")[1]) == [
        ("包裹", "快递"),
        ("物流", "快递"),  # the wording matched, 查物流, is read with the synonyms too
    ]
    assert fired_for(live.synonyms, "物流", answer(live, "物流")[1]) == [("物流", "快递")]
