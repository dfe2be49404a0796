#!/usr/bin/env python3
"""torch_grid.py - benchmark 3: the grid satbench runs, done the way a
researcher would otherwise do it, with PyTorch on the CPU.

Same network (fully connected, `depth` hidden layers of `width` units, a
linear output layer), same initializations (biases zero), same data
distribution (the `gaussian` dataset: x ~ N(0, I), labels the argmax of a
random linear teacher), softmax cross-entropy, plain SGD, same batch,
steps, learning rate, shuffled epochs, and the same probes at step 0,
every --log-every steps and at the end, on the probe set (the first
--probe-size training examples, as satbench's default --probe-split train):
per layer ||dL/dW||, ||dL/db||, ||delta|| = ||dL/dh|| (captured with hooks
on the pre-activations), mean, sd, 2nd and 98th percentiles of the
outputs, sd of the pre-activations, saturated and dead fractions, the
update ratio ||dW||/||W||, the weight norm, and 50-bin histograms of
outputs and errors at the first probe and the last step; at every probe the
learning curve's loss and accuracy on the evaluation subsets (the first
--eval-size examples of each split), and at the end on the whole splits.
Everything in float64.  Cells run one after another with --threads
intra-op threads, or spread over --jobs worker processes (each cell whole
in one worker, as satbench's grid does).  Writes cells.tsv and layers.tsv to --out and
prints the wall time and, per activation x init x depth, the mean
attenuation at init, log10(||delta^1|| / ||delta^depth||), for comparison
with satbench's cells.tsv (the random streams differ, the distributions
should not).

Exit status 77 (with a message) when PyTorch is not installed.
"""
import argparse
import math
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch_grid.py: PyTorch is not installed (Debian: apt-get install python3-torch); skipped",
          file=sys.stderr)
    sys.exit(77)


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--activations", default="tanh,relu")
    p.add_argument("--inits", default="standard,he_normal")
    p.add_argument("--depths", default="5,10")
    p.add_argument("--widths", default="128")
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--input-dim", type=int, default=32)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--train-size", type=int, default=4096)
    p.add_argument("--test-size", type=int, default=1024)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--probe-size", type=int, default=256)
    p.add_argument("--eval-size", type=int, default=512)
    p.add_argument("--optimizers", default="sgd", choices=["sgd"], help="sgd only (satbench's grids G use --optimizers sgd)")
    p.add_argument("--log-schedule", default="linear", choices=["linear"],
                   help="linear only: probes every --log-every steps and at the end (G uses --log-schedule linear)")
    p.add_argument("--sat-threshold", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (per process)")
    p.add_argument("--jobs", type=int, default=1,
                   help="worker processes, each taking whole cells (set OPENBLAS_NUM_THREADS=1 with it)")
    p.add_argument("--out", default="torch-out")
    return p.parse_args()


ACTS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
# phi'(h) / max phi' from the layer's output a and pre-activation h
DERIV = {
    "tanh": lambda a, h: 1.0 - a * a,
    "relu": lambda a, h: (h > 0).to(h.dtype),
    "sigmoid": lambda a, h: a * (1.0 - a) / 0.25,
}
BOUNDS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def init_(lin, kind, gen):
    fan_out, fan_in = lin.weight.shape
    with torch.no_grad():
        if kind == "standard":
            a = 1.0 / math.sqrt(fan_in)
            lin.weight.uniform_(-a, a, generator=gen)
        elif kind == "he_normal":
            lin.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
        elif kind == "xavier_normal":
            lin.weight.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)), generator=gen)
        elif kind == "xavier_uniform":
            a = math.sqrt(6.0 / (fan_in + fan_out))
            lin.weight.uniform_(-a, a, generator=gen)
        else:
            raise SystemExit("torch_grid.py: unsupported init " + kind)
        lin.bias.zero_()


class Probe:
    """Forward hooks keep each layer's pre-activation h (the Linear's
    output) and output a; a tensor hook on h keeps delta = dL/dh."""

    def __init__(self, model):
        self.h, self.a, self.delta = {}, {}, {}
        self.linears = [m for m in model if isinstance(m, nn.Linear)]
        self.active = False
        for l, lin in enumerate(self.linears):
            lin.register_forward_hook(self._on_linear(l))
        acts = [m for m in model if not isinstance(m, nn.Linear)]
        for l, act in enumerate(acts):
            act.register_forward_hook(self._on_act(l))

    def _on_linear(self, l):
        def hook(mod, inp, out):
            if self.active:
                self.h[l] = out.detach()
                out.register_hook(lambda g: self.delta.__setitem__(l, g.detach()))
        return hook

    def _on_act(self, l):
        def hook(mod, inp, out):
            if self.active:
                self.a[l] = out.detach()
        return hook


def measure(probe, act, tau, ratio):
    rows = []
    L = len(probe.linears)
    for l, lin in enumerate(probe.linears):
        h = probe.h[l]
        a = probe.a[l] if l < L - 1 else h
        flat = a.flatten()
        q = torch.quantile(flat, torch.tensor([0.02, 0.98]))
        if l < L - 1:
            sat = DERIV[act](a, h) < tau
            sat_frac = sat.double().mean().item()
            dead_frac = sat.all(dim=0).double().mean().item()
        else:
            sat_frac = dead_frac = 0.0
        rows.append([lin.weight.grad.norm().item(), lin.bias.grad.norm().item(),
                     probe.delta[l].norm().item(), flat.mean().item(), flat.std().item(),
                     q[0].item(), q[1].item(), h.std().item(), sat_frac, dead_frac,
                     ratio[l] if ratio is not None else float("nan"), lin.weight.norm().item()])
    return rows


def histograms(probe, act, depth, bins=50):
    lo, hi = BOUNDS.get(act, (None, None))
    a_all = [probe.a[l].flatten() for l in range(depth)]
    d_all = [probe.delta[l].flatten() for l in range(depth)]
    if lo is None:
        lo = min(x.min().item() for x in a_all)
        hi = max(x.max().item() for x in a_all)
    dmax = max(x.abs().max().item() for x in d_all) or 1.0
    return ([torch.histc(x, bins, lo, hi) for x in a_all],
            [torch.histc(x, bins, -dmax, dmax) for x in d_all])


def run_cell(args, data, act, init, depth, width, seed_index):
    X, y, Xt, yt = data
    B = args.batch
    gen = torch.Generator().manual_seed(args.seed * 1000003 + seed_index * 7919 + 1)
    order = torch.Generator().manual_seed(args.seed * 1000003 + seed_index * 7919 + 2)
    layers, fan_in = [], args.input_dim
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), ACTS[act]()]
        fan_in = width
    layers.append(nn.Linear(fan_in, args.classes))
    model = nn.Sequential(*layers)
    probe = Probe(model)
    for lin in probe.linears:
        init_(lin, init, gen)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    Xp, yp = X[:args.probe_size], y[:args.probe_size]
    E = args.eval_size
    logs, hist, curves = [], {}, []

    def do_probe(t, ratio):
        model.zero_grad(set_to_none=True)
        probe.active = True
        loss = F.cross_entropy(model(Xp), yp)
        loss.backward()
        probe.active = False
        if not math.isfinite(loss.item()):
            return False
        logs.append((t, measure(probe, act, args.sat_threshold, ratio)))
        if t == 0 or t == args.steps:
            hist["first" if "first" not in hist else "last"] = histograms(probe, act, depth)
        with torch.no_grad():
            point = [t]
            for Xe, ye in ((X[:E], y[:E]), (Xt[:E], yt[:E])):
                out = model(Xe)
                point += [F.cross_entropy(out, ye).item(), (out.argmax(1) == ye).double().mean().item()]
            curves.append(point)
        return True

    status = "ok"
    if not do_probe(0, None):
        status = "diverged"
    per_epoch = args.train_size // B
    perm = None
    t = 0
    while t < args.steps and status == "ok":
        pos = t % per_epoch
        if pos == 0:
            perm = torch.randperm(args.train_size, generator=order)
        idx = perm[pos * B:(pos + 1) * B]
        model.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        if not math.isfinite(loss.item()):
            status = "diverged"
            break
        loss.backward()
        logged = t + 1 == args.steps or (args.log_every > 0 and (t + 1) % args.log_every == 0)
        if logged:
            before = [lin.weight.detach().clone() for lin in probe.linears]
        opt.step()
        t += 1
        if logged:
            ratio = [(lin.weight.detach() - w0).norm().item() / w0.norm().item()
                     for lin, w0 in zip(probe.linears, before)]
            if not do_probe(t, ratio):
                status = "diverged"
    with torch.no_grad():
        out = model(X)
        final_loss = F.cross_entropy(out, y).item()
        train_acc = (out.argmax(1) == y).double().mean().item()
        test_acc = (model(Xt).argmax(1) == yt).double().mean().item()
    first = logs[0][1]
    att0 = math.log10(first[0][2] / first[depth - 1][2])
    return status, final_loss, train_acc, test_acc, att0, logs


ARGS, DATA = None, None


def setup(args):
    global ARGS, DATA
    ARGS = args
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    g = torch.Generator().manual_seed(args.seed)
    n = args.train_size + args.test_size
    Xall = torch.randn(n, args.input_dim, generator=g)
    teacher = torch.randn(args.input_dim, args.classes, generator=g)
    yall = (Xall @ teacher).argmax(1)
    DATA = (Xall[:args.train_size], yall[:args.train_size], Xall[args.train_size:], yall[args.train_size:])


def work(key):
    act, init, depth, width, s = key
    return key + run_cell(ARGS, DATA, act, init, depth, width, s)


def main():
    args = parse()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.monotonic()
    setup(args)
    keys = [(act, init, depth, width, s)
            for act in args.activations.split(",")
            for init in args.inits.split(",")
            for depth in map(int, args.depths.split(","))
            for width in map(int, args.widths.split(","))
            for s in range(args.seeds)]
    if args.jobs > 1:
        import multiprocessing
        # longest cells first, one at a time, like satbench's schedule
        order = sorted(range(len(keys)), key=lambda k: -keys[k][2] * keys[k][3])
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            done = pool.map(work, [keys[k] for k in order], chunksize=1)
        cells = [None] * len(keys)
        for k, c in zip(order, done):
            cells[k] = c
    else:
        cells = [work(k) for k in keys]
    att = {}
    for c in cells:
        att.setdefault(c[:4], []).append(c[9])
    with open(os.path.join(args.out, "cells.tsv"), "w") as f:
        f.write("cell\tactivation\tinit\tdepth\twidth\tseed\tstatus\tfinal_loss\tfinal_train_acc\t"
                "final_test_acc\tattenuation0\n")
        for k, c in enumerate(cells):
            f.write("\t".join([str(k)] + [str(v) for v in c[:10]]) + "\n")
    with open(os.path.join(args.out, "layers.tsv"), "w") as f:
        f.write("cell\tstep\tlayer\tgrad_w_norm\tgrad_b_norm\tdelta_norm\tact_mean\tact_std\tact_p02\t"
                "act_p98\tpreact_std\tsat_frac\tdead_frac\tupdate_ratio\tweight_norm\n")
        for k, c in enumerate(cells):
            for step, rows in c[10]:
                for l, row in enumerate(rows):
                    f.write("%d\t%d\t%d\t%s\n" % (k, step, l + 1, "\t".join("%.17g" % v for v in row)))
    wall = time.monotonic() - t0
    print("torch %s: %d cells in %.3f s, %d process(es) of %d thread(s)" % (
        torch.__version__, len(cells), wall, args.jobs, torch.get_num_threads()))
    for key, v in att.items():
        print("attenuation0\t%s\t%s\t%d\t%d\t%.4f" % (key + (sum(v) / len(v),)))
    print("wall_seconds\t%.6f" % wall)


if __name__ == "__main__":
    main()
