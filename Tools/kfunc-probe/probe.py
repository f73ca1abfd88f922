#!/usr/bin/env python3
# Which kfuncs of the running kernel a program type may call: every FUNC of vmlinux BTF
# tagged bpf_kfunc is called (all arguments 0) from a tiny program loaded with BPF_PROG_LOAD;
# "calling kernel function X is not allowed" means refused to the type, any other verdict allowed.
# Usage: probe.py [--type tc|act|xdp] (default tc, i.e. SCHED_CLS; act is SCHED_ACT).
# Needs root and bpftool. Prints ALLOWED/REFUSED, name, BTF id, errno and the log's last lines.
import argparse, ctypes, re, struct, os, subprocess
PROG_TYPES = {'tc': 3, 'act': 4, 'xdp': 6}
parser = argparse.ArgumentParser()
parser.add_argument('--type', choices=sorted(PROG_TYPES), default='tc')
prog_type = PROG_TYPES[parser.parse_args().type]
libc = ctypes.CDLL(None, use_errno=True)
lines = subprocess.run(['bpftool', 'btf', 'dump', 'file', '/sys/kernel/btf/vmlinux'], capture_output=True, text=True, check=True).stdout.split('\n')
names = {}
for l in lines:
    m = re.match(r"\[(\d+)\] FUNC '([^']+)'", l)
    if m: names[int(m.group(1))] = m.group(2)
kfuncs = []
for l in lines:
    m = re.match(r"\[\d+\] DECL_TAG 'bpf_kfunc' type_id=(\d+)", l)
    if m: kfuncs.append((int(m.group(1)), names.get(int(m.group(1)))))
def load(insns):
    code = b''.join(insns)
    log = ctypes.create_string_buffer(65536)
    lic = ctypes.create_string_buffer(b"GPL")
    buf = ctypes.create_string_buffer(code)
    attr = bytearray(160)
    struct.pack_into('<IIQQIIQ', attr, 0, prog_type, len(code)//8, ctypes.addressof(buf), ctypes.addressof(lic), 1, 65536, ctypes.addressof(log))
    a = ctypes.create_string_buffer(bytes(attr))
    fd = libc.syscall(321, 5, a, 160)
    err = ctypes.get_errno()
    if fd >= 0: os.close(fd); return 0, ''
    return err, log.value.decode(errors='replace').strip().split('\n')[-2:]
def ins(code, dst=0, src=0, off=0, imm=0): return struct.pack('<BBhi', code, dst | src << 4, off, imm)
out = []
for tid, name in sorted(kfuncs, key=lambda x: x[1] or ''):
    prog = [ins(0xb7,1,imm=0), ins(0xb7,2,imm=0), ins(0xb7,3,imm=0), ins(0xb7,4,imm=0), ins(0xb7,5,imm=0), ins(0x85, src=2, imm=tid), ins(0xb7,0,imm=0), ins(0x95)]
    err, log = load(prog)
    allowed = not any('is not allowed' in x for x in log) if err else True
    out.append((name, tid, allowed, err, log))
for name, tid, allowed, err, log in out:
    print(('ALLOWED' if allowed else 'REFUSED'), name, tid, err, ' | '.join(log) if err else '')
