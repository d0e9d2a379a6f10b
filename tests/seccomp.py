"""Make the kernel refuse chosen system calls, as a sandbox or a file system would: a seccomp filter.

Used by the tests of what minicex-pdf does where the system says no (a sandbox that forbids
``prctl(PR_SET_PDEATHSIG)``, a file system without hard links). The filter holds for the
calling process and its children, for good: call it only in a forked child.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys

#: Per machine: the seccomp audit architecture and the numbers of the system calls refused here.
_ARCH = {
    "x86_64": (0xC000003E, {"prctl": 157, "link": 86, "linkat": 265}),
    "aarch64": (0xC00000B7, {"prctl": 167, "linkat": 37}),
}

SUPPORTED = sys.platform.startswith("linux") and platform.machine() in _ARCH
REASON = "makes the kernel refuse system calls with a seccomp filter (Linux, x86_64 or aarch64)"


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def refuse(calls: dict[str, int | None], err: int = errno.EPERM) -> None:
    """From now on each named system call fails with ``err`` (only when its first argument is the value
    given, if one is); every other call is untouched. Names this machine does not have are left out."""
    arch, numbers = _ARCH[platform.machine()]
    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    allow, refused = 0x7FFF0000, 0x00050000 | err  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | err
    insns = [_Insn(ld, 0, 0, 4), _Insn(jeq, 1, 0, arch), _Insn(ret, 0, 0, allow)]  # seccomp_data.arch
    for name, first in calls.items():
        if name not in numbers:
            continue
        if first is None:
            insns += [_Insn(ld, 0, 0, 0), _Insn(jeq, 0, 1, numbers[name]), _Insn(ret, 0, 0, refused)]
        else:  # the low half of args[0] (little-endian)
            insns += [_Insn(ld, 0, 0, 0), _Insn(jeq, 0, 3, numbers[name]), _Insn(ld, 0, 0, 16)]
            insns += [_Insn(jeq, 0, 1, first), _Insn(ret, 0, 0, refused)]
    insns.append(_Insn(ret, 0, 0, allow))
    prog = _Prog(len(insns), (_Insn * len(insns))(*insns))
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
    assert libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
