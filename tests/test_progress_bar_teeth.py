"""Progress of a long batch on standard error: a bar on a terminal, a line about every 5% otherwise, or nothing."""

from __future__ import annotations

import io
import re
import sys

import pytest

from minicex_pdf.progress_bar import MODES, LineProgress, NullProgress, progress_for


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


def run(progress, steps) -> None:
    with progress as p:
        for n in steps:
            p.update(n)


def positions(text: str, label: str) -> list[str]:
    """The positions a terminal bar showed, each drawn after the label."""
    frames = [f for f in text.split("\r") if f]
    assert all(f.startswith(f"\x1b[?25l{label}  [") for f in frames)
    return [re.search(r"(\d+/\d+)", f).group(1) for f in frames]


def test_the_modes():
    assert MODES == ("auto", "bar", "lines", "none")


def test_lines_come_about_every_twentieth_and_at_the_end():
    out = io.StringIO()
    run(LineProgress(45, "Läser", file=out), [1] * 45)
    assert out.getvalue().splitlines() == [f"Läser: {n}/45" for n in (*range(2, 45, 2), 45)]


def test_a_short_batch_has_a_line_per_item_and_a_jump_crosses_a_step_once():
    out = io.StringIO()
    run(LineProgress(3, "Import", file=out), [1, 1, 1])
    assert out.getvalue() == "Import: 1/3\nImport: 2/3\nImport: 3/3\n"
    out = io.StringIO()
    run(LineProgress(200, "Import", file=out), [5, 5, 3, 30, 1, 156])
    assert out.getvalue().splitlines() == ["Import: 10/200", "Import: 43/200", "Import: 200/200"]


def test_lines_go_to_standard_error(capsys):
    run(progress_for("lines", 2, "Import"), [1, 1])
    assert capsys.readouterr() == ("", "Import: 1/2\nImport: 2/2\n")


def test_auto_is_lines_off_a_terminal(capsys):
    run(progress_for("auto", 2, "Import"), [1, 1])
    assert capsys.readouterr() == ("", "Import: 1/2\nImport: 2/2\n")


@pytest.mark.parametrize("mode", ["auto", "bar"])
def test_a_bar_on_a_terminal(monkeypatch, mode):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run(progress_for(mode, 3, "Import"), [1, 1, 1])
    assert positions(terminal.getvalue(), "Import") == ["0/3", "1/3", "2/3", "3/3"]
    assert terminal.getvalue().endswith("3/3\x1b[?25h\n")


def test_nothing_when_quiet_or_nothing_to_do(monkeypatch, capsys):
    assert isinstance(progress_for("none", 10, "Import"), NullProgress)
    monkeypatch.setattr(sys, "stderr", Terminal())
    for mode in MODES:
        progress = progress_for(mode, 0, "Import")
        assert isinstance(progress, NullProgress)
        run(progress, [])
    run(progress_for("none", 2, "Import"), [1, 1])
    assert sys.stderr.getvalue() == ""
    with NullProgress() as p:
        assert p.update(5) is None


@pytest.mark.parametrize(("total", "step"), [(38, 1), (40, 2), (60, 3), (1001, 50)])
def test_a_line_at_each_twentieth_and_one_at_the_end(total, step):
    out = io.StringIO()
    with LineProgress(total, "Import", file=out) as p:
        for _ in range(total):
            p.update()  # one item at a time, as the importer tells it
    expected = [f"Import: {n}/{total}" for n in range(step, total + 1, step)]
    if total % step:
        expected.append(f"Import: {total}/{total}")
    assert out.getvalue().splitlines() == expected


def test_a_bar_told_one_item_at_a_time(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_for("bar", 2, "Import") as p:
        p.update()
        p.update()
    assert positions(terminal.getvalue(), "Import") == ["0/2", "1/2", "2/2"]


def test_the_mode_asked_for_wins_over_the_terminal(monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run(progress_for("lines", 2, "Import"), [1, 1])
    assert terminal.getvalue() == "Import: 1/2\nImport: 2/2\n"
    monkeypatch.undo()
    run(progress_for("bar", 2, "Import"), [1, 1])  # a bar off a terminal: click shows only its label
    assert capsys.readouterr() == ("", "Import\n")


def test_a_mode_read_at_run_time_is_the_same_mode(monkeypatch, capsys):
    # the mode as an option parser or a config file gives it: a string made at run time, not the literal
    none, auto, bar = ("".join(m) for m in (["no", "ne"], ["au", "to"], ["b", "ar"]))
    run(progress_for(none, 2, "Import"), [1, 1])
    run(progress_for(auto, 2, "Import"), [1, 1])
    assert capsys.readouterr() == ("", "Import: 1/2\nImport: 2/2\n")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run(progress_for(auto, 2, "Import"), [1, 1])
    assert positions(terminal.getvalue(), "Import") == ["0/2", "1/2", "2/2"]
    monkeypatch.undo()
    run(progress_for(bar, 2, "Import"), [1, 1])
    assert capsys.readouterr() == ("", "Import\n")
