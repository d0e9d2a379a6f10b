"""The CPU budget of one read (reading/budget.py): when it is spent, the timer it arms, and whose timer it leaves alone.

What a caller sees: ``check()`` raising :class:`OverBudget` or not, a loop that never
checks being stopped, and ``SIGPROF`` and its timer as they were left (another read
after this one, or a profiler, depends on them).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from minicex_pdf.reading.budget import Budget, OverBudget

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no CPU timer (setitimer) on this system")


def _burn(seconds: float) -> None:
    """Spend ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.fixture(autouse=True)
def _timer_off() -> Iterator[None]:
    """Each test starts and ends with no CPU timer and SIGPROF at its default."""
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    yield
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)


def _profiler(signum: int, frame: object) -> None:
    """Another user's SIGPROF handler (a sampling profiler)."""


def test_a_budget_is_spent_once_its_seconds_of_cpu_have_passed():
    Budget(30.0).check()  # plenty left
    with pytest.raises(OverBudget):
        Budget(-1.0).check()  # spent before it starts
    short = Budget(0.05)
    short.check()
    _burn(0.1)
    with pytest.raises(OverBudget):
        short.check()


def test_overbudget_is_not_an_exception_a_recovering_caller_swallows():
    # pypdf recovers from broken files with ``except Exception``: the budget must pass through it
    with pytest.raises(OverBudget), contextlib.suppress(Exception):  # what pypdf does
        Budget(-1.0).check()


def test_while_a_read_runs_the_timer_is_armed_and_afterwards_off_and_sigprof_ignored():
    for _ in range(2):  # a second read is armed like the first
        with Budget(30.0) as budget:
            assert signal.getsignal(signal.SIGPROF) == budget._fire
            assert 29.0 < signal.getitimer(signal.ITIMER_PROF)[0] < 31.0  # the timer rounds to its ticks
        assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGPROF) == signal.SIG_IGN


@pytest.mark.parametrize("seconds", [0.05, -1.0], ids=["short", "already-spent"])
def test_the_timer_stops_a_loop_that_never_checks_and_fires_once(seconds):
    start = time.process_time()
    with pytest.raises(OverBudget), Budget(seconds):
        while True:  # as pypdf reading a string byte by byte
            pass
    assert time.process_time() - start < 0.5
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_a_shot_some_library_swallowed_still_ends_the_read_when_the_budget_is_left():
    # the one shot can land in a __del__ or a callback, whose exceptions Python only prints
    start = time.process_time()
    with pytest.raises(OverBudget), Budget(0.05):
        while time.process_time() - start < 0.3:
            with contextlib.suppress(BaseException):  # what a __del__ does with anything raised in it
                _burn(0.01)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) == signal.SIG_IGN


def test_a_read_within_its_budget_is_left_as_it_ended():
    with Budget(30.0):
        _burn(0.02)
    assert signal.getsignal(signal.SIGPROF) == signal.SIG_IGN


@pytest.mark.parametrize(
    ("handler", "timer"),
    [(_profiler, 100.0), (_profiler, 0.0), (signal.SIG_DFL, 100.0)],
    ids=["handler-and-timer", "handler-only", "timer-only"],
)
def test_a_timer_or_handler_someone_else_set_is_left_alone(handler, timer):
    signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, timer)
    used = Budget(30.0)
    for _ in range(2):  # also when the same budget is entered a second time
        with used:
            assert signal.getsignal(signal.SIGPROF) is handler
        assert signal.getsignal(signal.SIGPROF) is handler
        left = signal.getitimer(signal.ITIMER_PROF)[0]
        assert (timer - 1.0 < left < timer + 1.0) if timer else left == 0.0
    with pytest.raises(OverBudget), Budget(-1.0) as spent:  # explicit checks still work
        spent.check()


def test_a_budget_entered_again_after_its_read_leaves_a_profiler_alone():
    used = Budget(30.0)
    with used:
        pass
    signal.signal(signal.SIGPROF, _profiler)
    signal.setitimer(signal.ITIMER_PROF, 100.0)
    with used:
        pass
    assert signal.getsignal(signal.SIGPROF) is _profiler
    assert 99.0 < signal.getitimer(signal.ITIMER_PROF)[0] < 101.0


def test_in_a_thread_a_budget_is_checked_explicitly_and_arms_no_timer():
    seen: list[object] = []

    def read() -> None:
        try:
            with Budget(30.0) as fresh:
                fresh.check()
                seen.append(signal.getitimer(signal.ITIMER_PROF))
            with Budget(-1.0) as spent:
                spent.check()
        except BaseException as exc:  # handed to the test thread
            seen.append(type(exc))

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [(0.0, 0.0), OverBudget]
    assert signal.getsignal(signal.SIGPROF) == signal.SIG_DFL
