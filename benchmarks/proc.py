"""What the machine and a tree of processes have spent in CPU, read from /proc (Linux), for the benchmarks."""

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds every core has been busy (stolen time included) and idle (waiting for I/O included) so far."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICK, (idle + iowait) / TICK


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat from the state on: utime is [11], stime [12], cutime [13], cstime [14]."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int | str) -> list[str]:
    found: list[str] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found += Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            pass
    return found


def tree_cpu(root: int, *, own: bool = True) -> float:
    """CPU seconds of `root` (unless `own` is false) and of every process below it, running or ended and waited for
    (by `root` or by another below it)."""
    fields = _stat(root)
    ticks = (sum(int(v) for v in fields[11 if own else 13 : 15])) if fields else 0
    stack = _children(root)
    while stack:
        child = stack.pop()
        fields = _stat(child)
        if fields:
            ticks += sum(int(v) for v in fields[11:15])
            stack += _children(child)
    return ticks / TICK


def process_cpu(pid: int) -> float | None:
    """CPU seconds process `pid` has used itself, or None when it is gone."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else None
