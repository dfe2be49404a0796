#!/usr/bin/env python3
"""torch_rnn.py - benchmark 8's PyTorch side: the recurrent step of
bench_rnn.c (forward over T steps, BPTT, an SGD update) done by PyTorch in
float64 on one thread, with torch.nn.RNN (tanh), LSTM and GRU and a linear
readout on the last state under softmax cross-entropy: the same shapes,
the same work.  torch.nn.GRU is the cell rnn.c implements (the reset gate
on h W_hn + b_hn); its LSTM and RNN carry a second bias vector, which
costs nothing measurable.

usage: torch_rnn.py [-T STEPS] [-b BATCH] [-i N_IN] [-r REPS] [-c rnn,lstm,gru] [H ...]
Prints one line per (cell, H): ms per step, as bench_rnn does (thread CPU
time, the best of REPS repetitions of about 0.2 s)."""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-T", type=int, default=50)
    ap.add_argument("-b", type=int, default=64)
    ap.add_argument("-i", type=int, default=32)
    ap.add_argument("-r", type=int, default=5)
    ap.add_argument("-c", default="rnn,lstm,gru")
    ap.add_argument("widths", nargs="*", type=int, default=[128, 256])
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    kinds = {"rnn": lambda h: torch.nn.RNN(a.i, h, nonlinearity="tanh", batch_first=True),
             "lstm": lambda h: torch.nn.LSTM(a.i, h, batch_first=True),
             "gru": lambda h: torch.nn.GRU(a.i, h, batch_first=True)}
    print("cell\tH\tT\tbatch\tn_in\tms_step")
    for name in ("rnn", "lstm", "gru"):
        if name not in a.c.split(","):
            continue
        for h in a.widths:
            cell = kinds[name](h).double()
            out = torch.nn.Linear(h, 10).double()
            params = list(cell.parameters()) + list(out.parameters())
            opt = torch.optim.SGD(params, lr=0.01)
            x = torch.randn(a.b, a.T, a.i, dtype=torch.float64)
            y = torch.randint(0, 10, (a.b,))
            lossf = torch.nn.CrossEntropyLoss()

            def step():
                opt.zero_grad(set_to_none=False)
                hs, _ = cell(x)
                loss = lossf(out(hs[:, -1, :]), y)
                loss.backward()
                opt.step()

            t0, n = time.thread_time(), 0
            while time.thread_time() - t0 < 0.2:
                step()
                n += 1
            best = float("inf")
            for _ in range(a.r):
                s = time.thread_time()
                for _ in range(n):
                    step()
                best = min(best, (time.thread_time() - s) / n)
            print(f"{name}\t{h}\t{a.T}\t{a.b}\t{a.i}\t{1e3 * best:.4f}", flush=True)


if __name__ == "__main__":
    main()
