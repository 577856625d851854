"""Run one command and measure it, for bench/peers/run-peers.sh (stdlib only).

    python3 measure.py OUT.json [--stdout FILE] -- COMMAND [ARG]...

Writes {"wall_s", "user_s", "sys_s", "maxrss_mb", "tree_rss_mb", "processes", "exit",
"loadavg"} to OUT.json:
- wall_s: monotonic wall time from spawn to exit;
- user_s/sys_s and maxrss_mb from wait4(): CPU time of the command and its waited-for
  descendants, and the peak RSS of the largest single process among them (what
  `/usr/bin/time -v` prints as "Maximum resident set size");
- tree_rss_mb: the peak of the RSS summed over the command's whole process tree,
  sampled every 0.2 s from /proc (for multi-process tools such as checkov; pages that
  forked workers share are counted once per process, so this is an upper bound);
- processes: how many distinct processes the tree had at the samples;
- loadavg: /proc/loadavg just before the start.
The command's stdout goes to FILE (default /dev/null), its stderr to OUT.json's name
with .stderr. A non-zero exit is recorded, not fatal (the checkers exit 1 on findings).
"""

import json
import os
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree_rss(root):
    kids = children_map()
    todo, seen, total = [root], [], 0
    while todo:
        pid = todo.pop()
        seen.append(pid)
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
        todo.extend(kids.get(pid, ()))
    return total, seen


def main(argv):
    out = argv[0]
    stdout_path = "/dev/null"
    rest = argv[1:]
    if rest and rest[0] == "--stdout":
        stdout_path, rest = rest[1], rest[2:]
    if not rest or rest[0] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    cmd = rest[1:]
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    peak = {"tree": 0}
    pids = set()
    done = threading.Event()

    def sample(pid):
        while not done.is_set():
            total, seen = tree_rss(pid)
            peak["tree"] = max(peak["tree"], total)
            pids.update(seen)
            done.wait(0.2)

    with open(stdout_path, "wb") as so, open(out + ".stderr", "wb") as se:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=so, stderr=se)
        sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
        sampler.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        done.set()
        sampler.join()
    peak_tree = peak["tree"]
    result = {
        "wall_s": round(wall, 3),
        "user_s": round(ru.ru_utime, 3),
        "sys_s": round(ru.ru_stime, 3),
        "maxrss_mb": round(ru.ru_maxrss / 1024, 1),
        "tree_rss_mb": round(max(peak_tree / 2**20, ru.ru_maxrss / 1024), 1),
        "processes": max(len(pids), 1),
        "exit": os.waitstatus_to_exitcode(status),
        "loadavg": loadavg,
        "command": cmd,
    }
    with open(out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
