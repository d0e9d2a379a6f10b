"""The CPU budget of one read: checked inside long scans, with a CPU timer behind pypdf's own loops.

Our own scans (the lexer, the walker) call :meth:`Budget.check` every few
thousand steps. pypdf's code (cross-reference tables, its fallback parser)
cannot be asked to look, so while a read runs in the main thread a CPU timer
(``ITIMER_PROF``) is armed for the same deadline: when it fires,
:class:`OverBudget` is raised wherever the interpreter is. It derives from
``BaseException`` so that pypdf's ``except Exception`` recovery (pypdf has no
bare ``except:``) cannot swallow it. The timer fires once: a second shot could
land in the clean-up after the first. Where the one shot is swallowed all the same
(it landed in a ``__del__`` or a callback, whose exceptions Python only prints),
leaving the budget raises it.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType, TracebackType

from ..limits import READ_CPU_SECONDS

#: Dispositions of SIGPROF that mean nobody else uses it.
_FREE = (signal.SIG_DFL, signal.SIG_IGN, None)


class OverBudget(BaseException):
    """A read took more CPU than any form needs: the file is hostile or broken."""


class Budget:
    """``check()`` raises :class:`OverBudget` once ``seconds`` of this thread's CPU time have passed.

    The thread's own time, so a busy thread beside it (a test's mail server, a
    progress thread) does not spend a read's budget; the timer behind pypdf's
    loops counts the process, which is the same in an import worker.
    """

    def __init__(self, seconds: float = READ_CPU_SECONDS) -> None:
        self.seconds = seconds
        self.deadline = time.thread_time() + seconds
        self._armed = False
        self._fired = False

    def check(self) -> None:
        """Raise :class:`OverBudget` if the budget is spent."""
        if time.thread_time() > self.deadline:
            raise OverBudget()

    def __enter__(self) -> Budget:
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self  # explicit checks only
        if signal.getitimer(signal.ITIMER_PROF) != (0.0, 0.0) or signal.getsignal(signal.SIGPROF) not in _FREE:
            return self  # someone else (a profiler) uses the timer: leave it to them
        signal.signal(signal.SIGPROF, self._fire)
        left = max(self.deadline - time.thread_time(), 0.001)
        signal.setitimer(signal.ITIMER_PROF, left)
        self._armed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            # ignored, not the default (which ends the process), should a last tick still be on its way
            signal.signal(signal.SIGPROF, signal.SIG_IGN)
            self._armed = False
            if self._fired and kind is None:
                raise OverBudget()

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        self._fired = True
        raise OverBudget()
