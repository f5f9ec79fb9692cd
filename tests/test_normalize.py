import pytest

from replybook.store.normalize import fold_code, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("什么时候发货？", "什么时候发货"),
        ("亲，什么时候发货呢", "什么时候发货"),
        ("亲亲 今天能发吗😊", "今天能发吗"),
        ("ＸＬ码有货吗！", "xl码有货吗"),
        ("１６０ ９５斤什么码~", "16095斤什么码"),
        ("在吗", "在吗"),
        ("亲", "亲"),  # filler alone stays: never normalise to nothing
        ("哦哦哦", "哦"),
        ("你好呀亲🙏", "你好"),  # trailing filler goes first, so the greeting itself survives
        ("谢谢亲亲", "谢谢"),
        ("  ", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_traditional_to_simplified_is_optional() -> None:
    assert normalise("幾天發貨") == "幾天發貨"
    assert normalise("幾天發貨", simplify=True) == "几天发货"


@pytest.mark.parametrize(("code", "expected"), [("ＨＩ", "hi"), (" Fh ", "fh"), ("jhs", "jhs")])
def test_fold_code(code: str, expected: str) -> None:
    assert fold_code(code) == expected


def test_the_simplified_shortcut_converts_exactly_like_opencc() -> None:
    from replybook.store.normalize import _t2s, to_simplified
    from tests.conftest import SAMPLE

    lines = (SAMPLE / "questions.txt").read_text(encoding="utf-8").splitlines()
    for text in [*lines, "幾天發貨", "這件衣服會起球嗎", "沈默", "回覆一下", "一目瞭然"]:
        assert to_simplified(text) == _t2s().convert(text), text
