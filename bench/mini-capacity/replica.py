# Torch replica of `evalfirst pretrain-base` + `evalfirst finetune` (LoRA) + the mini suite's
# multiple-choice scoring, to explore the tiny base's design (size, tokenizer, corpus, recipe) on a
# GPU in seconds per configuration instead of minutes on 2 cores. Same architecture (LLaMA: RMSNorm,
# rotate-half RoPE, GQA, SwiGLU, untied head), init (N(0,0.02), output projections /sqrt(2L)),
# optimizer settings and schedules as model/train; no NF4 (the base stays fp32). A prediction counts
# when the argmax next token after the prompt is the gold letter token (HELM's exact match on the
# first generated token). Data comes from export.ts. One JSON line per run on stdout.
import json, math, sys, time, argparse, random
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--name', default='run'); p.add_argument('--data-dir', default='bench/mini-capacity/data'); p.add_argument('--vocab', type=int, default=512); p.add_argument('--pfx', default='')
p.add_argument('--corpus', default='c0'); p.add_argument('--ndocs', type=int, default=6000)
p.add_argument('--dim', type=int, default=64); p.add_argument('--hidden', type=int, default=192)
p.add_argument('--layers', type=int, default=2); p.add_argument('--heads', type=int, default=4); p.add_argument('--kv', type=int, default=2)
p.add_argument('--psteps', type=int, default=1200); p.add_argument('--pbatch', type=int, default=8); p.add_argument('--plr', type=float, default=1e-2)
p.add_argument('--fsteps', type=int, default=3000); p.add_argument('--fbatch', type=int, default=4); p.add_argument('--flr', type=float, default=5e-3)
p.add_argument('--r', type=int, default=16); p.add_argument('--alpha', type=float, default=32)
p.add_argument('--ft', default='ft'); p.add_argument('--full', type=int, default=0)
p.add_argument('--evals', default='1000,2000,3000'); p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed); random.seed(a.seed)
import os
dev = os.environ.get('DEV', 'cuda')
if dev == 'cpu': torch.set_num_threads(1)
V = a.vocab; T = 256; hd = a.dim // a.heads

def rope_cache(T, hd):
    inv = 1.0 / (10000 ** (torch.arange(0, hd, 2, device=dev).float() / hd))
    f = torch.outer(torch.arange(T, device=dev).float(), inv)
    e = torch.cat([f, f], -1)
    return e.cos(), e.sin()
COS, SIN = rope_cache(T + 1, hd)
def rot(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)
def rope(x):  # x: B,H,T,hd
    t = x.shape[2]
    return x * COS[:t] + rot(x) * SIN[:t]

class Lin(nn.Module):
    def __init__(s, i, o, std):
        super().__init__(); s.w = nn.Parameter(torch.randn(o, i) * std); s.A = None
    def add_lora(s, r, alpha):
        i = s.w.shape[1]; o = s.w.shape[0]
        s.A = nn.Parameter((torch.rand(r, i, device=dev) * 2 - 1) / math.sqrt(i)); s.B = nn.Parameter(torch.zeros(o, r, device=dev)); s.sc = alpha / r
    def forward(s, x):
        y = x @ s.w.t()
        if s.A is not None: y = y + s.sc * ((x @ s.A.t()) @ s.B.t())
        return y

class Norm(nn.Module):
    def __init__(s, d): super().__init__(); s.g = nn.Parameter(torch.ones(d))
    def forward(s, x): return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * s.g

class Block(nn.Module):
    def __init__(s):
        super().__init__(); d = a.dim; std = 0.02; rs = 0.02 / math.sqrt(2 * a.layers)
        s.n1 = Norm(d); s.n2 = Norm(d)
        s.q = Lin(d, a.heads * hd, std); s.k = Lin(d, a.kv * hd, std); s.v = Lin(d, a.kv * hd, std); s.o = Lin(a.heads * hd, d, rs)
        s.g = Lin(d, a.hidden, std); s.u = Lin(d, a.hidden, std); s.dn = Lin(a.hidden, d, rs)
    def forward(s, x):
        B, t, d = x.shape; h = s.n1(x)
        q = s.q(h).view(B, t, a.heads, hd).transpose(1, 2); k = s.k(h).view(B, t, a.kv, hd).transpose(1, 2); v = s.v(h).view(B, t, a.kv, hd).transpose(1, 2)
        q, k = rope(q), rope(k)
        rep = a.heads // a.kv; k = k.repeat_interleave(rep, 1); v = v.repeat_interleave(rep, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1), float('-inf')).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, t, -1)
        x = x + s.o(y); h = s.n2(x)
        return x + s.dn(F.silu(s.g(h)) * s.u(h))

class Model(nn.Module):
    def __init__(s):
        super().__init__(); s.emb = nn.Parameter(torch.randn(V, a.dim) * 0.02); s.blocks = nn.ModuleList([Block() for _ in range(a.layers)]); s.nf = Norm(a.dim); s.head = Lin(a.dim, V, 0.02)
    def forward(s, ids):
        x = s.emb[ids]
        for b in s.blocks: x = b(x)
        return s.head(s.nf(x))

def batchify(exs):
    L = max(len(e[0]) for e in exs) - 1
    inp = torch.zeros(len(exs), L, dtype=torch.long); tgt = torch.zeros(len(exs), L, dtype=torch.long); m = torch.zeros(len(exs), L)
    for i, (ids, pl) in enumerate(exs):
        n = len(ids) - 1; inp[i, :n] = torch.tensor(ids[:-1]); tgt[i, :n] = torch.tensor(ids[1:])
        for t in range(n):
            if t + 1 >= pl: m[i, t] = 1
    return inp.to(dev), tgt.to(dev), m.to(dev)

def loss_of(model, inp, tgt, m):
    lg = model(inp); ce = F.cross_entropy(lg.reshape(-1, V), tgt.reshape(-1), reduction='none').view(tgt.shape)
    return ((ce * m).sum(1) / m.sum(1).clamp(min=1)).mean()

def sched(step, total, lr, warm, minr):
    if warm > 0 and step <= warm: return lr * step / warm
    pr = min(1, (step - warm) / max(1, total - warm)); return lr * (minr + (1 - minr) * 0.5 * (1 + math.cos(math.pi * pr)))

def train(model, exs, steps, bs, lr, warm, minr, betas, wd, params, on_step=None):
    opt = torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=wd, eps=1e-8)
    order = []; pos = 0; rng = random.Random(a.seed)
    for step in range(1, steps + 1):
        batch = []
        while len(batch) < bs:
            if pos >= len(order): order = list(range(len(exs))); rng.shuffle(order); pos = 0
            batch.append(exs[order[pos]]); pos += 1
        for g in opt.param_groups: g['lr'] = sched(step, steps, lr, warm, minr)
        l = loss_of(model, *batchify(batch)); opt.zero_grad(); l.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step()
        if on_step: on_step(step, l.item())

items = json.load(open(f'{a.data_dir}/{a.pfx}eval.json'))
@torch.no_grad()
def evaluate(model):
    res = {}; letters = {}
    for i in range(0, len(items), 64):
        ch = items[i:i + 64]; L = max(len(x['ids']) for x in ch)
        inp = torch.zeros(len(ch), L, dtype=torch.long)
        for j, x in enumerate(ch): inp[j, :len(x['ids'])] = torch.tensor(x['ids'])
        lg = model(inp.to(dev))
        for j, x in enumerate(ch):
            pred = lg[j, len(x['ids']) - 1].argmax().item(); key = f"{x['fam']}/{x['split']}"
            res.setdefault(key, []).append(pred == x['gold'])
    return {k: round(sum(v) / len(v), 3) for k, v in sorted(res.items())}

t0 = time.time()
model = Model().to(dev)
docs = json.load(open(f'{a.data_dir}/{a.pfx}{a.corpus}.json'))[:a.ndocs]
pex = [(d[:T + 1], 1) for d in docs]
ploss = []
train(model, pex, a.psteps, a.pbatch, a.plr, round(0.05 * a.psteps), 0.1, (0.9, 0.95), 0.1, list(model.parameters()), lambda s, l: ploss.append(l))
out = {'name': a.name, 'args': vars(a), 'pretrain_loss': round(sum(ploss[-50:]) / 50, 4), 'base': evaluate(model), 'ft': {}}
for prm in model.parameters(): prm.requires_grad_(a.full == 1)
if a.full:
    params = list(model.parameters())
else:
    params = []
    for b in model.blocks:
        for lin in [b.q, b.k, b.v, b.o, b.g, b.u, b.dn]: lin.add_lora(a.r, a.alpha); params += [lin.A, lin.B]
fex = [(e['ids'], e['p']) for e in json.load(open(f'{a.data_dir}/{a.pfx}{a.ft}.json'))]
evals = set(int(x) for x in a.evals.split(','))
def on_step(s, l):
    if s in evals: out['ft'][s] = evaluate(model)
train(model, fex, a.fsteps, a.fbatch, a.flr, round(0.03 * a.fsteps), 0.0, (0.9, 0.999), 0.0, params, on_step)
out['secs'] = round(time.time() - t0, 1)
print(json.dumps(out), flush=True)
