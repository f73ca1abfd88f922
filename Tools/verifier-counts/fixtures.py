#!/usr/bin/env python3
"""fixtures.py MODE OUT [TCX]: processed-instruction counts of every `prog X load OBJ SYM` line of
the repository's .tcx fixtures, each program loaded alone. MODE kernel: kcount's lines (KCOUNT
names the binary); MODE embedded: `TCX_VERIFIER_STATS=1 TCX script` lines, as harness2.sh writes
them. Both go to ratio.py: `ratio.py kernel.txt embedded.txt`."""
import os, re, subprocess, sys, glob, tempfile
mode, out = sys.argv[1], sys.argv[2]
binary = sys.argv[3] if len(sys.argv) > 3 else None
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../Tests/Fixtures')
root = os.path.normpath(root)
seen = set()
with open(out, 'w') as f:
    for tcx in sorted(glob.glob(root + '/**/*.tcx', recursive=True)):
        d = os.path.dirname(tcx)
        for line in open(tcx):
            m = re.match(r'prog (\S+) load (\S+) (\S+)\s*(=>|$)', line)
            if not m: continue
            obj, sym = m.group(2), m.group(3)
            objpath = os.path.normpath(os.path.join(d, obj))
            key = (objpath, sym)
            if key in seen: continue
            seen.add(key)
            name = os.path.relpath(objpath, root).removesuffix('.o')
            if mode == 'kernel':
                try:
                    r = subprocess.run([os.environ.get('KCOUNT', 'kcount'), objpath, sym], capture_output=True, text=True, timeout=120)
                    for l in r.stdout.splitlines():
                        p = l.split()
                        if len(p) >= 4 and p[2] == 'processed':
                            f.write(f"{name}.o {sym} " + ' '.join(p[2:]) + "\n")
                except subprocess.TimeoutExpired:
                    pass
            else:
                with tempfile.NamedTemporaryFile('w', suffix='.tcx', dir=d, delete=False) as t:
                    t.write(f"prog p load {obj} {sym}\n")
                env = dict(os.environ, TCX_VERIFIER_STATS='1')
                try:
                    r = subprocess.run([binary, 'script', '--backend', 'embedded', t.name], capture_output=True, text=True,
                                       timeout=300, env=env, cwd=d)
                    res = (r.stdout + r.stderr).replace('\n', ' ')
                except subprocess.TimeoutExpired:
                    res = 'timeout'
                os.unlink(t.name)
                f.write(f"{name}__{sym} | {res}\n")
            f.flush()
