#!/usr/bin/env python3
"""Compares two greedy_logits outputs step by step: the oracle's (CPU backend) and a device's run forced onto the
oracle's tokens. Per step: the oracle's token and its lead over the runner-up, the device's argmax, and the
normalised mean squared error of the device's logits against the oracle's (test-llama-archs' measure:
sum((a-b)^2) / sum(a^2)).

usage: compare_logits.py <oracle.bin> <device.bin> [max-nmse]
Exit status 1 if any step's NMSE exceeds max-nmse (default 1e-4, test-llama-archs' bound), else 0. An argmax
that differs where the oracle's lead is within the NMSE noise is reported, not failed: that is where two
correct backends may pick different greedy tokens."""
import struct
import sys
from array import array


def read_run(path):
    with open(path, "rb") as file:
        n_vocab, steps = struct.unpack("<ii", file.read(8))
        rows = []
        for _ in range(steps):
            (token,) = struct.unpack("<i", file.read(4))
            logits = array("f")
            logits.frombytes(file.read(4 * n_vocab))
            rows.append((token, logits))
    return n_vocab, rows


def top_two(logits):
    best = max(range(len(logits)), key=logits.__getitem__)
    runner_up = max((v for i, v in enumerate(logits) if i != best), default=float("-inf"))
    return best, logits[best] - runner_up


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    max_nmse = float(sys.argv[3]) if len(sys.argv) == 4 else 1e-4
    vocab_a, oracle = read_run(sys.argv[1])
    vocab_b, device = read_run(sys.argv[2])
    if vocab_a != vocab_b or len(oracle) != len(device):
        print("the two runs differ in vocabulary or step count", file=sys.stderr)
        return 2
    worst = 0.0
    agreeing_prefix = None
    print("step  oracle-token  lead      device-argmax  nmse")
    for step, ((token, expected), (forced, actual)) in enumerate(zip(oracle, device)):
        if forced != token:
            print(f"step {step}: the device run was not forced onto the oracle's token", file=sys.stderr)
            return 2
        squared_error = sum((a - b) ** 2 for a, b in zip(expected, actual))
        squared_norm = sum(a * a for a in expected)
        nmse = squared_error / squared_norm if squared_norm else float("inf")
        worst = max(worst, nmse)
        best, lead = top_two(expected)
        device_best, _ = top_two(actual)
        mark = "" if device_best == best else "  <- differs"
        if device_best != best and agreeing_prefix is None:
            agreeing_prefix = step
        print(f"{step:4d}  {best:12d}  {lead:8.5f}  {device_best:13d}  {nmse:.2e}{mark}")
    steps = len(oracle)
    print(f"worst NMSE {worst:.2e} (bound {max_nmse:.0e}); argmax agrees on "
          f"{steps if agreeing_prefix is None else agreeing_prefix} of {steps} leading steps")
    return 1 if worst > max_nmse else 0


if __name__ == "__main__":
    sys.exit(main())
