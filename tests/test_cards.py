"""Committed model cards are readable by anyone who clones the repository: no absolute path of the machine that
trained them (commands, notes, metrics), and the trainer records its command line with repository-relative paths."""

import json
import re

import pytest

from genimg.train.cli import REPO, portable_args

CARDS = sorted((REPO / "checkpoints").rglob("card.json"))
# an absolute POSIX path (/work/..., /home/...), a home-relative one, or a Windows drive path
ABSOLUTE = re.compile(r"(?<![\w.:/-])(/(?:[\w.-]+/)*[\w.-]+|~/\S+|[A-Za-z]:\\\S+)")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_there_are_committed_cards():
    assert len(CARDS) >= 6, CARDS


@pytest.mark.parametrize("card", CARDS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_absolute_path_in_a_committed_card(card):
    found = [(text[:80], match) for text in strings(json.loads(card.read_text())) for match in ABSOLUTE.findall(text)]
    assert not found, f"{card.relative_to(REPO)}: absolute paths {found}"


def test_the_trainer_records_paths_relative_to_the_repository():
    args = ["gan", "--data", f"folder:{REPO / 'my' / 'pictures'}", "--out", str(REPO / "checkpoints" / "x"),
            f"--out={REPO.parent / 'runs' / 'a'}", "--minutes", "5", "--augment", "color,translation"]
    assert portable_args(args) == ["gan", "--data", "folder:my/pictures", "--out", "checkpoints/x",
                                   "--out=../runs/a", "--minutes", "5", "--augment", "color,translation"]
    assert not any(ABSOLUTE.search(arg) for arg in portable_args(args))


def test_the_pattern_finds_absolute_paths():
    assert ABSOLUTE.findall("--out /work/runs/emoji_gan --seed 0") == ["/work/runs/emoji_gan"]
    assert not ABSOLUTE.findall("--out checkpoints/mnist/gan 2/3 train/test i % 10 and/or")
