"""Progress where a build takes time: the fine-tuning bar, the build's phases and its time line."""

from __future__ import annotations

import io
import logging
from functools import partial

import pytest
from tqdm import tqdm

from rag.config import get_settings
from rag.index import store as index_store
from rag.index.encoders import HashEncoder
from rag.index.finetune import StepProgress, step_progress
from rag.index.timing import timings_line
from rag_cli.main import main
from tests.retrieval_fixtures import make_corpus, settings_for

BUILT_PHASES = [
    "parse",
    "English vectors",
    "BM25 and dense indexes",
    "citator/versions/vocabulary",
    "manifest",
]


@pytest.fixture
def settings(tmp_path):
    return settings_for(make_corpus(tmp_path / "corpus"), tmp_path / "index")


def test_a_build_reports_each_phase_once_with_seconds_within_the_total(settings):
    report = index_store.build_index(settings, encoder=HashEncoder(dim=32), multilingual=HashEncoder(dim=24))
    names = [name for name, _ in report.phases]
    assert names == [*BUILT_PHASES[:2], "multilingual vectors", *BUILT_PHASES[2:]]
    assert all(seconds >= 0 for _, seconds in report.phases)
    assert sum(seconds for _, seconds in report.phases) <= report.seconds
    line = report.timings()
    assert line.startswith("build ") and all(f"{name} " in line for name in names)
    assert report.summary().startswith(f"built {settings.index.index_dir}: ")  # the first line as before


def test_an_index_without_a_multilingual_leg_has_no_such_phase_and_a_no_op_has_none(settings):
    report = index_store.build_index(settings, encoder=HashEncoder(dim=32))
    assert [name for name, _ in report.phases] == BUILT_PHASES
    again = index_store.build_index(settings, encoder=HashEncoder(dim=32))
    assert again.status == "unchanged" and again.phases == ()


def test_each_phase_is_logged_as_it_ends(settings, caplog):
    with caplog.at_level(logging.INFO, logger="rag.index.store"):
        report = index_store.build_index(settings, encoder=HashEncoder(dim=32))
    messages = [r.getMessage() for r in caplog.records]
    for name, _ in report.phases:
        assert any(m.startswith(f"{name} took ") and m.endswith(" s") for m in messages)
    assert messages[-1] == report.timings()


def test_the_time_line_adds_what_no_phase_covers_as_other():
    line = timings_line(412.4, [("fine-tuning", 301.2), ("parse", 4.14), ("English vectors", 38.0)])
    assert line == "build 412.4 s: fine-tuning 301 s, parse 4.1 s, English vectors 38 s, other 69 s"
    assert timings_line(1.0, [("parse", 0.98)]) == "build 1.0 s: parse 1.0 s"


def test_rag_build_prints_the_time_line_after_the_summary(settings, monkeypatch, capsys):
    monkeypatch.setattr(
        index_store, "build_index", partial(index_store.build_index, encoder=HashEncoder(dim=32))
    )
    monkeypatch.setenv("RAG_CORPUS_DIR", str(settings.index.corpus_dir))
    get_settings.cache_clear()
    try:
        assert main(["-q", "build", "--index", str(settings.index.index_dir)]) == 0
        first, second = capsys.readouterr().out.splitlines()[-2:]
        assert first.startswith("built ") and second.startswith("build ") and "parse " in second
        assert main(["-q", "build", "--index", str(settings.index.index_dir)]) == 0
        out = capsys.readouterr().out  # nothing built: the summary alone
        assert "is up to date" in out and len(out.splitlines()) == 1
    finally:
        get_settings.cache_clear()


class _FakeBar:
    """What StepProgress uses of a tqdm bar."""

    def __init__(self, disable: bool) -> None:
        self.disable, self.n, self.postfix = disable, 0, ""

    def update(self, n: int) -> None:
        self.n += n

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text


def test_each_training_step_moves_the_bar_and_shows_the_running_loss():
    progress = StepProgress(_FakeBar(disable=False), steps=150, window=2)
    for loss in (3.0, 2.0, 1.0):
        progress(loss)
    assert progress.bar.n == progress.done == 3
    assert progress.bar.postfix == "loss 1.500"  # the mean of the last two steps


def test_a_real_bar_shows_steps_done_of_total_time_left_and_loss():
    out = io.StringIO()
    bar = tqdm(total=150, desc="fine-tuning", unit="step", file=out, disable=False, mininterval=0)
    progress = StepProgress(bar, steps=150)
    for loss in (2.5, 2.0):
        progress(loss)
    text = str(bar)
    bar.close()
    assert "fine-tuning" in text and "2/150" in text and "loss 2.250" in text and "<" in text  # elapsed<left


def test_without_a_bar_the_running_loss_is_logged_every_window_steps(caplog):
    progress = StepProgress(_FakeBar(disable=True), steps=4, window=2)
    with caplog.at_level(logging.INFO, logger="rag.index.finetune"):
        for loss in (4.0, 2.0, 1.0, 1.0):
            progress(loss)
    assert [r.getMessage() for r in caplog.records] == ["step 2/4: loss 3.000", "step 4/4: loss 1.000"]
    assert progress.bar.n == 0 and progress.done == 4


def test_the_fine_tuning_bar_follows_the_progress_convention(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")  # the test suite's setting: never a bar
    with step_progress(10, show_progress=True) as progress:
        assert progress.bar.disable
    monkeypatch.delenv("TQDM_DISABLE")
    with step_progress(10, show_progress=False) as progress:
        assert progress.bar.disable
    with step_progress(10, show_progress=True) as progress:
        assert not progress.bar.disable and progress.bar.total == 10


def test_muted_reports_reach_no_listener_in_that_thread_only():
    """An export's check embeds sample texts: its reports must not show as the build's embedding."""
    import threading

    from rag.index import progress

    seen: list[tuple[str, int, int]] = []

    def listener(*report: object) -> None:
        seen.append(report)  # type: ignore[arg-type]

    progress.add_listener(listener)
    try:
        with progress.muted():
            progress.report("embedding", 6, 6)
            other = threading.Thread(target=progress.report, args=("fine-tuning", 1, 150))
            other.start()
            other.join()
        progress.report("embedding", 1, 7369)
    finally:
        progress.remove_listener(listener)
    assert seen == [("fine-tuning", 1, 150), ("embedding", 1, 7369)]
