"""The quiz "Real or generated?" in headless Chromium (tests/pagekit.py): 20 answers make no request, the 20th sends
one `quiz_tally`; the score, the fooled rate, the pictures that fooled the student and the detector's figure are
shown; the link reopens the quiz where it was (and a finished one without counting it again); a model switch starts
a new quiz for that model; a phone can play it with taps.

One app launch for the module, on the tiny "mnist" (28x28 grey, a detector figure in its card) and "emoji" (64x64
RGB, none) checkpoints. The quiz's order is computed here again with numpy, so the browser's is held to it.
"""

import json

import numpy as np
import pytest
from pagekit import (
    canvases,
    choose_model,
    open_page,
    open_tab,
    served_app,
    state,
    tiny_checkpoints,
    wait_opening_request,
)

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
DETECTOR = {"accuracy": 0.7105, "auc": 0.917082, "test": {"real": "test split (1000)", "generated": 1000}}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    root = tiny_checkpoints(tmp_path_factory.mktemp("checkpoints"))
    card_path = root / "mnist" / "gan" / "card.json"
    card = json.loads(card_path.read_text())
    card.setdefault("metrics", {})["detector"] = DETECTOR
    card_path.write_text(json.dumps(card))
    with served_app(root) as (app, url):
        yield app, url


def truth(seed: int, count: int = 40, conditional: bool = True) -> str:
    """What web/quiz.js quizOrder draws, with numpy: "r" or "g" per item (the right answers, in order)."""
    rs = np.random.RandomState(seed)
    pool = list(range(count))
    for i in range(10):
        j = i + rs.randint(count - i)
        pool[i], pool[j] = pool[j], pool[i]
    kinds = ["r"] * 10
    for _ in range(10):
        rs.randint(2**31)
        if conditional:
            rs.randint(count)
        kinds.append("g")
    for i in range(19, 0, -1):
        j = rs.randint(i + 1)
        kinds[i], kinds[j] = kinds[j], kinds[i]
    return "".join(kinds)


def open_quiz(browser, url: str, query: str, **kwargs):
    """open_page on a quiz link, then its tab: the link names the tab, and the click makes sure (tests/test_page.py
    holds a link's tab on its own)."""
    page, requests = open_page(browser, url, query, **kwargs)
    open_tab(page, "quiz")
    return page, requests


def shown(page) -> str | None:
    return page.evaluate("document.getElementById('quiz-view').dataset.state || null")


def wait_quiz(page, expected: str) -> None:
    page.wait_for_function("want => document.getElementById('quiz-view')?.dataset.state === want", arg=expected,
                           timeout=60_000)


def answer(page, letter: str, how: str) -> None:
    if how == "click":
        page.click(f"#quiz-view button[data-answer={letter}]")
    elif how == "tap":
        page.tap(f"#quiz-view button[data-answer={letter}]")
    elif how == "arrow":
        page.keyboard.press("ArrowLeft" if letter == "r" else "ArrowRight")
    else:
        page.keyboard.press(letter.upper() if how == "shift" else letter)


def test_twenty_answers_send_nothing_until_one_tally_and_the_link_reopens_the_quiz(browser, app_url):
    app, url = app_url
    page, requests = open_quiz(browser, url, "tab=quiz&quiz=7")
    wait_quiz(page, "mnist|7")
    assert page.inner_text("#quiz-view .genimg-quiz-progress") == "Picture 1 of 20"
    wait_opening_request(page, requests)  # the page's own start-up request is out
    before = len(requests)
    right = truth(7)
    wrong_at = {2, 5, 11}  # three mistakes: their pictures are shown as having fooled the student
    answers = "".join(("g" if a == "r" else "r") if i in wrong_at else a for i, a in enumerate(right))
    ways = ["click", "key", "arrow", "shift"]
    for i, letter in enumerate(answers):
        answer(page, letter, ways[i % 4])
        if i < 19:
            wait_quiz(page, f"mnist|7.{answers[:i + 1]}")
            assert page.inner_text("#quiz-view .genimg-quiz-progress") == f"Picture {i + 2} of 20"
            assert requests[before:] == [], requests[before:]  # no request per answer
    wait_quiz(page, f"mnist|7.{answers}")
    page.wait_for_function("document.getElementById('quiz-view').dataset.tally")
    tally = [r for r in requests[before:] if r.endswith("/call/quiz_tally")]
    assert len(tally) == 1 and all("quiz_tally" in r for r in requests[before:]), requests[before:]
    assert f"quiz=7.{answers}" in page.url

    text = page.inner_text("#quiz-view")
    assert "You got 17 of 20 right (85%); 95% interval 64% to 95%." in text
    assert "Fooled rate (HYPE∞): 15%." in text and "50% is chance" in text
    fooled = page.eval_on_selector_all("#quiz-view .genimg-quiz-fooled-by figure", "fs => fs.map(f => f.dataset.kind)")
    assert fooled == [{"r": "real", "g": "generated"}[right[i]] for i in sorted(wrong_at)]
    assert all(c["width"] == 112 and c["grey"] for c in canvases(page, "#quiz-view .genimg-quiz-fooled-by canvas"))
    assert "got 71% of 2,000 held-out pictures right (AUC 0.92). You got 85%." in text
    class_totals = json.loads(page.evaluate("document.getElementById('quiz-view').dataset.tally"))
    assert class_totals == {"model": "mnist", **app.quiz_tab.tally_counts.rows["mnist"]}
    assert class_totals["answers"] >= 20 and "added to the class tally" in text

    again, again_requests = open_quiz(browser, page.url, "")  # the finished link: the same result, not counted again
    wait_quiz(again, f"mnist|7.{answers}")
    assert "You got 17 of 20 right (85%)" in again.inner_text("#quiz-view")
    assert not [r for r in again_requests if "quiz_tally" in r]
    midway, _ = open_quiz(browser, url, f"tab=quiz&quiz=7.{answers[:4]}")  # a link midway: the fifth picture
    wait_quiz(midway, f"mnist|7.{answers[:4]}")
    assert midway.inner_text("#quiz-view .genimg-quiz-progress") == "Picture 5 of 20"
    third, _ = open_quiz(browser, url, f"tab=quiz&quiz=7.{answers[:4]}")
    wait_quiz(third, f"mnist|7.{answers[:4]}")
    pixels = "document.querySelector('#quiz-view canvas.genimg-quiz-picture').toDataURL()"
    assert midway.evaluate(pixels) == third.evaluate(pixels)  # the same picture, pixel for pixel
    for p in (page, again, midway, third):
        assert p.page_errors == []


def test_a_model_switch_starts_that_models_quiz_and_nothing_of_the_old_one_stays(browser, app_url):
    _, url = app_url
    page, _ = open_quiz(browser, url, "tab=quiz&quiz=11.rrrrrrrrrrrrrrrrrrrr")
    wait_quiz(page, "mnist|11.rrrrrrrrrrrrrrrrrrrr")
    assert page.locator("#quiz-view .genimg-quiz-fooled-by figure").count() == 10  # every generated one fooled
    assert "not measured" not in page.inner_text("#quiz-view")
    choose_model(page, "emoji")
    page.wait_for_function("() => (document.getElementById('quiz-view').dataset.state || '').startsWith('emoji|')",
                           timeout=60_000)
    quiz = state(page)["quiz"]
    assert quiz is not None and "." not in quiz  # a new quiz, no answers yet
    assert shown(page) == f"emoji|{quiz}"
    assert page.locator("#quiz-view .genimg-quiz-fooled-by figure").count() == 0
    assert page.is_hidden("#quiz-view .genimg-quiz-results")
    right = truth(int(quiz))
    for k in range(20):
        [picture] = canvases(page, "#quiz-view canvas.genimg-quiz-picture")
        assert picture["width"] == 256  # 64x64, drawn at the quiz's size
        if right[k] == "g":  # the emoji GAN's pictures are colour; a real emoji may be grey (the sprite's 9th is)
            assert not picture["grey"], k
        answer(page, "g", "key")
        wait_quiz(page, f"emoji|{quiz}.{'g' * (k + 1)}")
    assert "The detector's accuracy for emoji: not measured yet." in page.inner_text("#quiz-view")
    assert page.page_errors == []


def test_a_phone_plays_it_with_taps_in_chinese(browser, app_url):
    _, url = app_url
    page, requests = open_quiz(browser, url, "tab=quiz&quiz=3&lang=zh", width=390, locale="zh-CN")
    wait_quiz(page, "mnist|3")
    real = page.locator("#quiz-view button[data-answer=r]").bounding_box()
    generated = page.locator("#quiz-view button[data-answer=g]").bounding_box()
    picture = page.locator("#quiz-view canvas.genimg-quiz-picture").bounding_box()
    assert real["y"] == generated["y"] and real["height"] == generated["height"]  # side by side, the same size
    assert real["x"] + real["width"] <= generated["x"] and generated["x"] + generated["width"] <= 390
    assert min(real["height"], real["width"]) >= 44  # thumb-sized
    assert picture["x"] >= 0 and picture["x"] + picture["width"] <= 390
    assert real["y"] + real["height"] - picture["y"] <= 844  # picture and answers fit on one screen together
    assert "真实" in page.inner_text("#quiz-view button[data-answer=r]")
    for k, letter in enumerate(truth(3)):
        answer(page, letter, "tap")
        if k < 19:
            wait_quiz(page, f"mnist|3.{truth(3)[:k + 1]}")
    wait_quiz(page, f"mnist|3.{truth(3)}")
    text = page.inner_text("#quiz-view")
    assert "你答对了 20 张中的 20 张（100%）" in text and "没有一张骗过你" in text
    page.wait_for_function("document.getElementById('quiz-view').dataset.tally")
    assert len([r for r in requests if r.endswith("/call/quiz_tally")]) == 1
    assert page.page_errors == []


def test_bad_quiz_links_fall_back_with_one_notice(browser, app_url):
    _, url = app_url
    page, _ = open_quiz(browser, url, "tab=quiz&quiz=7.rgx")
    page.wait_for_selector(".genimg-notice")
    notices = page.locator(".genimg-notice").all_inner_texts()
    assert len(notices) == 1 and "quiz=7.rgx" in notices[0] and "r (real) or g (generated)" in notices[0]
    page.wait_for_function("() => window.genimg.state().quiz !== null")  # the tab started a fresh quiz instead
    assert "." not in state(page)["quiz"]
    open_tab(page, "gan")
    assert "quiz=" in page.url  # the quiz stays in the link while another tab is open
