"""Tab "Real or generated?": a student sees 20 pictures one at a time, half real test-split images (the committed
set in web/quiz/, genimg/app/quiz_images.py) and half drawn by the selected model's GAN in the browser, says which
is which, and sees a score, the fooled rate (HYPE-infinity) and the pictures that fooled them beside the detector's
accuracy. All of that is web/views/quiz.js and makes no request; the quiz lives in the page state (`quiz`), so a
link reopens it.

What is here: the tab, and the class tally a teacher shows: when a student finishes, the page sends one
`quiz_tally` with their counts; the server adds them to the model's totals, in memory, and answers with the class's
totals. No names, no per-student rows: one fixed row of five counts per model with a quiz, made at start (unknown
models are refused, so it never grows), each count capped. `quiz_reset` zeroes a model's row (the teacher's
button); with GENIMG_QUIZ_KEY set it needs that key. Both endpoints are undocumented (the page's, not an API).
"""

import hmac
import os
import threading

import gradio as gr

from ..checks import app_error
from ..i18n import request_language
from ..page import api_endpoint, quiz_config, view
from ..registry import Registry

QUIZ_LENGTH = 20  # as web/quiz.js QUIZ_LENGTH: the most answers one tally adds
MAX_ANSWERS = 1_000_000  # per model; a class of 60 doing the quiz ten times gives 12,000
KEY_ENV = "GENIMG_QUIZ_KEY"  # when set, the teacher's reset needs this key
COUNTS = ("quizzes", "answers", "correct", "fakes", "fakes_judged_real")


def whole(value) -> int | None:
    """A whole number as an int (2 or 2.0), else None (2.5, "2", True, None, NaN)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def valid_counts(correct, total, fakes_judged_real, fakes) -> tuple[int, int, int, int] | None:
    """One student's counts as ints when they can be one quiz's (at most QUIZ_LENGTH answers, and they add up:
    wrong answers on generated pictures are wrong answers, right ones are right answers), else None."""
    numbers = [whole(v) for v in (correct, total, fakes_judged_real, fakes)]
    if None in numbers:
        return None
    c, n, fjr, f = numbers
    fits = 0 <= c <= n <= QUIZ_LENGTH and 0 <= fjr <= f <= n
    adds_up = fjr <= n - c and f - fjr <= c  # generated judged real <= wrong; generated judged right <= right
    return (c, n, fjr, f) if fits and adds_up else None


class Tally:
    """The class's answers per model, in memory: {model: {count: int}}, one row per model given at start."""

    def __init__(self, models: list[str], limit: int = MAX_ANSWERS):
        self.rows = {model: dict.fromkeys(COUNTS, 0) for model in models}  # never gains or loses a key
        self.limit = limit
        self.lock = threading.Lock()  # Gradio runs handlers on several threads

    def totals(self, model: str) -> dict:
        return {"model": model, **self.rows[model]}

    def add(self, model: str, correct: int, total: int, fakes_judged_real: int, fakes: int) -> dict | None:
        """Adds one student's (checked) counts -> the model's totals, or None when they would pass the limit.
        total 0 adds nothing: it only reads the totals."""
        with self.lock:
            row = self.rows[model]
            if row["answers"] + total > self.limit:
                return None
            if total:
                row["quizzes"] += 1
                for key, value in (("answers", total), ("correct", correct), ("fakes", fakes),
                                   ("fakes_judged_real", fakes_judged_real)):
                    row[key] += value
            return self.totals(model)

    def reset(self, model: str) -> dict:
        with self.lock:
            self.rows[model] = dict.fromkeys(COUNTS, 0)
            return self.totals(model)


def describe(values) -> str:
    """The values a request sent, short, for an error message."""
    return ", ".join(repr(v)[:40] for v in values)


class QuizTab:
    """The quiz tab: its view, and the class tally's endpoints (see the module docstring)."""

    def __init__(self, registry: Registry, limit: int = MAX_ANSWERS):
        self.models = list(quiz_config(registry))  # the models the page can quiz on
        self.tally_counts = Tally(self.models, limit)

    def tally(self, model: str, correct, total, fakes_judged_real, fakes, request: gr.Request | None = None) -> dict:
        """One finished quiz's counts added to the class's -> the class's totals for `model`: {model, quizzes,
        answers, correct, fakes, fakes_judged_real}. total 0 (and the rest 0) only reads them."""
        lang = request_language(request)
        counts = valid_counts(correct, total, fakes_judged_real, fakes)
        if not isinstance(model, str) or model not in self.tally_counts.rows or counts is None:
            raise app_error("quiz_tally_error", lang, models=", ".join(self.models) or "-", most=QUIZ_LENGTH,
                            got=describe([model, correct, total, fakes_judged_real, fakes]))
        totals = self.tally_counts.add(model, *counts)
        if totals is None:
            raise app_error("quiz_tally_full", lang, model=model, limit=f"{self.tally_counts.limit:,}")
        return totals

    def reset(self, model: str, key: str | None, request: gr.Request | None = None) -> dict:
        """The teacher's reset: `model`'s class tally back to zero -> its totals. With GENIMG_QUIZ_KEY set in the
        server's environment, `key` must be that key."""
        lang = request_language(request)
        if not isinstance(model, str) or model not in self.tally_counts.rows:
            raise app_error("quiz_reset_error", lang, models=", ".join(self.models) or "-", got=describe([model]))
        wanted = os.environ.get(KEY_ENV)
        if wanted and not hmac.compare_digest(str(key or "").encode(), wanted.encode()):
            raise app_error("quiz_reset_key", lang)
        return self.tally_counts.reset(model)

    def build(self, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs): the view, and the endpoints' hidden parts."""
        with gr.Tab(i18n("quiz_tab"), id="quiz", elem_id="tab-quiz") as self.tab:
            view("quiz", "quiz-view")
            numbers = [gr.Number(visible=False) for _ in range(4)]  # no precision: 2.5 reaches the check as 2.5
            api_endpoint(self.tally, [gr.Textbox(visible=False), *numbers], gr.JSON(), api_name="quiz_tally",
                         api_visibility="undocumented", queue=False, show_progress="hidden")
            api_endpoint(self.reset, [gr.Textbox(visible=False), gr.Textbox(visible=False)], gr.JSON(),
                         api_name="quiz_reset", api_visibility="undocumented", queue=False, show_progress="hidden")
