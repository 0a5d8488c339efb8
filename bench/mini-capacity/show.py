import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l); b=r['base']
    f=lambda e: ' '.join(f"{k.replace('mini_','')}={v}" for k,v in e.items() if not k.endswith('/valid') or 'truthful' in k)
    print(f"{r['name']:10s} ploss {r['pretrain_loss']} secs {r['secs']}\n   base {f(b)}")
    for s,e in r['ft'].items(): print(f"   {s:>5} {f(e)}")
