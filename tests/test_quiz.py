"""The quiz "Real or generated?" on the server's side: the class tally takes only what one quiz can give and one fixed
row per model (bad input is one error saying what is accepted, through the handler and through gradio_client), the
teacher's reset and its key, the quiz's committed real images (their licence notes, sizes, and the page config that
points at them), and the numbers the page and the server share.
"""

import json
import re
import shutil
import subprocess

import gradio as gr
import pytest
from conftest import REPO
from gradio_client import Client
from gradio_client.exceptions import AppError
from pagekit import served_app, tiny_checkpoints
from PIL import Image

from genimg.app import quiz_images
from genimg.app.i18n import EN, ZH
from genimg.app.page import detector_figures, quiz_config
from genimg.app.registry import Registry
from genimg.app.tabs.quiz import COUNTS, KEY_ENV, QUIZ_LENGTH, QuizTab, valid_counts

QUIZ = REPO / "genimg" / "app" / "web" / "quiz"
VIEW = REPO / "genimg" / "app" / "web" / "views" / "quiz.js"
ACCEPTED = "four whole numbers one quiz can give"
# (correct, total, fakes_judged_real, fakes) that no quiz gives, each for one reason
BAD = [(-1, 20, 3, 10), (21, 20, 3, 10), (2.5, 20, 3, 10), ("3", 20, 3, 10), (True, 20, 3, 10), (None, 20, 3, 10),
       (10, 21, 0, 10), (10**30, 10**30, 0, 0), (1e30, 1e30, 0, 0), (float("nan"), 20, 3, 10),
       (10, 20, 11, 10),  # more generated judged real than generated
       (15, 20, 6, 10),  # more generated judged real (6) than wrong answers (5)
       (2, 20, 0, 10)]  # 10 generated judged right, but only 2 right answers


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return Registry(tiny_checkpoints(tmp_path_factory.mktemp("checkpoints")))


def test_counts_one_quiz_can_give_are_taken_the_rest_are_not():
    assert valid_counts(14, 20, 3, 10) == (14, 20, 3, 10)
    assert valid_counts(14.0, 20.0, 3.0, 10.0) == (14, 20, 3, 10)  # JSON numbers may arrive as floats
    assert valid_counts(0, 0, 0, 0) == (0, 0, 0, 0)  # reads the totals
    assert valid_counts(0, 20, 10, 10) == (0, 20, 10, 10)  # everything wrong
    for bad in BAD:
        assert valid_counts(*bad) is None, bad


def test_the_tally_adds_quizzes_per_model_and_reads_without_adding(registry):
    quiz = QuizTab(registry)
    assert quiz.models == ["emoji", "mnist"]
    assert quiz.tally("mnist", 14, 20, 3, 10) == {"model": "mnist", "quizzes": 1, "answers": 20, "correct": 14,
                                                  "fakes": 10, "fakes_judged_real": 3}
    assert quiz.tally("mnist", 10, 20, 5, 10)["quizzes"] == 2
    assert quiz.tally("mnist", 0, 0, 0, 0) == {"model": "mnist", "quizzes": 2, "answers": 40, "correct": 24,
                                               "fakes": 20, "fakes_judged_real": 8}
    assert quiz.tally("emoji", 0, 0, 0, 0)["answers"] == 0  # another model, another row


@pytest.mark.parametrize("lang, words", [("en", ACCEPTED), ("zh", "一份测验可能给出的四个整数")])
def test_bad_tally_input_is_one_error_saying_what_is_accepted(registry, monkeypatch, lang, words):
    quiz = QuizTab(registry)
    monkeypatch.setattr("genimg.app.tabs.quiz.request_language", lambda request: lang)
    for bad in [("cifar", 14, 20, 3, 10), (None, 14, 20, 3, 10), *(("mnist", *b) for b in BAD)]:
        with pytest.raises(gr.Error) as error:
            quiz.tally(*bad, request=object())
        assert words in error.value.message and "emoji, mnist" in error.value.message, bad
    assert quiz.tally("mnist", 0, 0, 0, 0)["answers"] == 0  # nothing bad was counted


def test_the_tally_never_grows_and_stops_at_its_cap(registry):
    quiz = QuizTab(registry, limit=100)
    rows = quiz.tally_counts.rows
    for k in range(200):  # good and bad tallies, known and unknown models
        for call in (("mnist", 10, 20, 5, 10), (f"model{k}", 10, 20, 5, 10), ("emoji", 30, 20, 0, 0)):
            try:
                quiz.tally(*call)
            except gr.Error:
                pass
    assert list(rows) == ["emoji", "mnist"] and all(list(row) == list(COUNTS) for row in rows.values())
    assert rows["mnist"]["answers"] == 100 and rows["emoji"]["answers"] == 0  # 5 quizzes, then full
    with pytest.raises(gr.Error, match="full"):
        quiz.tally("mnist", 1, 1, 0, 0)


def test_the_teachers_reset_zeroes_one_model_and_needs_the_key_when_one_is_set(registry, monkeypatch):
    quiz = QuizTab(registry)
    quiz.tally("mnist", 14, 20, 3, 10)
    quiz.tally("emoji", 14, 20, 3, 10)
    monkeypatch.setenv(KEY_ENV, "chalk")
    for wrong in (None, "", "Chalk", "chalk "):
        with pytest.raises(gr.Error, match="GENIMG_QUIZ_KEY"):
            quiz.reset("mnist", wrong)
    assert quiz.tally("mnist", 0, 0, 0, 0)["answers"] == 20
    assert quiz.reset("mnist", "chalk") == {"model": "mnist", **dict.fromkeys(COUNTS, 0)}
    assert quiz.tally("emoji", 0, 0, 0, 0)["answers"] == 20  # the other model's row stays
    monkeypatch.delenv(KEY_ENV)
    assert quiz.reset("emoji", None)["answers"] == 0  # no key set: anyone with the page may reset
    with pytest.raises(gr.Error, match="A reset takes a model: emoji, mnist"):
        quiz.reset("cifar", None)


def test_the_tally_through_gradio_client(registry, tmp_path):
    with served_app(registry.root) as (app, url):
        client = Client(url, verbose=False)
        totals = client.predict("mnist", 14, 20, 3, 10, api_name="/quiz_tally")
        assert totals == {"model": "mnist", "quizzes": 1, "answers": 20, "correct": 14, "fakes": 10,
                          "fakes_judged_real": 3}
        for bad in [("cifar", 14, 20, 3, 10), ("mnist", -1, 20, 3, 10), ("mnist", 2.5, 20, 3, 10),
                    ("mnist", 21, 20, 3, 10), ("mnist", 10**30, 10**30, 0, 0), ("mnist", "3", 20, 3, 10)]:
            with pytest.raises(AppError, match=ACCEPTED):
                client.predict(*bad, api_name="/quiz_tally")
        chinese = Client(url, verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        with pytest.raises(AppError, match="一份测验可能给出的四个整数"):
            chinese.predict("mnist", 30, 20, 3, 10, api_name="/quiz_tally")
        assert client.predict("mnist", 0, 0, 0, 0, api_name="/quiz_tally")["answers"] == 20  # bad ones not counted
        assert client.predict("mnist", "", api_name="/quiz_reset")["answers"] == 0
        assert list(app.quiz_tab.tally_counts.rows) == ["emoji", "mnist"]


def test_the_committed_real_images_are_small_licensed_and_what_the_json_says():
    for name in quiz_images.DATASETS:
        meta = json.loads((QUIZ / f"{name}.json").read_text(encoding="utf-8"))
        sheet = Image.open(QUIZ / f"{name}.png")
        rows = -(-meta["count"] // meta["columns"])
        assert sheet.size == (meta["columns"] * meta["size"], rows * meta["size"])
        assert sheet.mode == ("L" if meta["channels"] == 1 else "RGB")
        assert (QUIZ / f"{name}.png").stat().st_size < 1_000_000 and (QUIZ / f"{name}.json").stat().st_size < 100_000
        assert meta["count"] == len(meta["labels"]) == len(meta["sourceIndices"]) == len(meta["sha256"]) == 40
        assert all(i % 10 == 9 for i in meta["sourceIndices"])  # the test split only: no model trained on them
        assert len(set(meta["sourceIndices"])) == 40
        counts = [meta["labels"].count(c) for c in meta["classNames"]]
        fewer = {"mnist": [], "emoji": ["Component"]}[name]  # emoji's Component has one test image, all taken
        assert max(counts) - min(c for c, n in zip(counts, meta["classNames"]) if n not in fewer) <= 1, counts
        assert all(meta["labels"].count(n) == 1 for n in fewer)
    emoji = json.loads((QUIZ / "emoji.json").read_text(encoding="utf-8"))
    assert {f.split("/")[0] for f in emoji["files"]} == {"twitter", "google"}
    readme = (QUIZ / "README.md").read_text(encoding="utf-8")
    for words in ("Creative Commons Attribution-Share Alike 3.0", "Creative Commons Attribution 4.0",
                  "Apache License 2.0", "Twemoji", "Noto Emoji"):
        assert words in readme
    assert "Apache License" in (QUIZ / "LICENSE-APACHE-2.0.txt").read_text(encoding="utf-8")


def test_the_page_config_points_at_the_images_and_the_detector(registry):
    config = quiz_config(registry)
    assert set(config) == {"mnist", "emoji"}
    assert config["mnist"]["size"] == 28 and config["emoji"]["channels"] == 3
    assert config["mnist"]["sprite"].endswith(".png?v=" + config["mnist"]["sprite"].split("?v=")[1])
    assert config["mnist"]["detector"] is None  # the tiny models' cards have no detector: "not measured yet"
    card = {"metrics": {"detector": {"accuracy": 0.7105, "auc": 0.917082,
                                     "test": {"real": "test split (1000)", "generated": 1000}}}}
    assert detector_figures(card) == {"accuracy": 0.7105, "auc": 0.917082, "tested": 2000}
    assert detector_figures({"metrics": {"detector": {"auc": 0.9}}}) is None
    assert detector_figures({}) is None


def test_the_view_names_only_strings_both_languages_have():
    keys = set(re.findall(r'\bt\("([a-z0-9_]+)"', VIEW.read_text(encoding="utf-8")))
    assert len(keys) > 20 and keys <= set(EN) and keys <= set(ZH), sorted(keys - set(EN))


def test_the_page_and_the_server_agree_on_the_quiz_length():
    done = subprocess.run([shutil.which("node"), "--input-type=module", "-e",
                           "import {QUIZ_LENGTH} from './quiz.js'; console.log(QUIZ_LENGTH);"],
                          cwd=REPO / "genimg" / "app" / "web", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == QUIZ_LENGTH


def test_quiz_images_check_reports_a_changed_file(tmp_path):
    """--check compares pixels, JSON and README with a rebuild (here: with the committed files as the 'rebuild')."""
    built = {name: ((QUIZ / f"{name}.png").read_bytes(), json.loads((QUIZ / f"{name}.json").read_text("utf-8")))
             for name in quiz_images.DATASETS}
    for path in QUIZ.iterdir():
        shutil.copy(path, tmp_path / path.name)
    assert quiz_images.check(built, tmp_path) == []
    (tmp_path / "mnist.json").write_text("{}", encoding="utf-8")
    (tmp_path / "LICENSE-APACHE-2.0.txt").unlink()
    problems = quiz_images.check(built, tmp_path)
    assert any("mnist.json: differs" in p for p in problems) and any("LICENSE-APACHE" in p for p in problems)
