#!/usr/bin/env python3
"""Shares of one thread's JFR execution samples, by method: inclusive (the method is anywhere on the
stack) and self (it is the top frame). Used for docs/benchmarks.md:

    jfr print --stack-depth 300 --events jdk.ExecutionSample bench.jfr > samples.txt
    python3 docs/jfr-shares.py samples.txt '^bench-losswatch.*StreamThread-1$' 60

The second argument is a regular expression on the sampled thread's name; the third, how many
methods to list (default 60).
"""
import collections
import re
import sys


def main():
    samples_file, thread_pattern = sys.argv[1], re.compile(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    inclusive, self_time, n = collections.Counter(), collections.Counter(), 0
    with open(samples_file, encoding="utf-8") as f:
        events = f.read().split("jdk.ExecutionSample {")[1:]
    for event in events:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        if not thread or not thread_pattern.search(thread.group(1)) or "stackTrace = [" not in event:
            continue
        body = event.split("stackTrace = [", 1)[1].split("\n  ]", 1)[0]
        frames = [re.sub(r"\s+line:.*", "", line.strip()) for line in body.split("\n") if line.strip()]
        if not frames:
            continue
        n += 1
        self_time[frames[0]] += 1
        for frame in set(frames):
            inclusive[frame] += 1
    print(f"{n} samples")
    for title, counter in (("inclusive", inclusive), ("self", self_time)):
        print(f"--- {title}")
        for frame, count in counter.most_common(top):
            print(f"{100 * count / max(n, 1):5.1f}% {frame}")


if __name__ == "__main__":
    main()
