"""Compares the layout of every struct of the shipped BTF with the running kernel's BTF:
member names, bit offsets (through anonymous members), bitfield sizes, kinds and sizes.
Usage: python3 check.py (needs clang, bpftool and /sys/kernel/btf/vmlinux)."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(path):
    out = subprocess.run(['bpftool', '-j', 'btf', 'dump', 'file', path], check=True, capture_output=True).stdout
    types = json.loads(out)['types']
    return types, {t['id']: t for t in types}


def resolved(by_id, type_id):
    t = by_id.get(type_id)
    while t and t['kind'] in ('TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'):
        t = by_id.get(t['type_id'])
    return t


def layout(types, by_id, name):
    for t in types:
        if t['kind'] in ('STRUCT', 'UNION') and t['name'] == name:
            fields = []

            def walk(holder, base, prefix):
                for m in holder['members']:
                    mt = resolved(by_id, m['type_id'])
                    offset = base + m['bits_offset']
                    if m['name'] == '(anon)' and mt and mt['kind'] in ('STRUCT', 'UNION'):
                        walk(mt, offset, prefix)
                    else:
                        fields.append((prefix + m['name'], offset, m.get('bitfield_size', 0),
                                       mt and mt['kind'], mt and mt.get('size')))
            walk(t, 0, '')
            return t['size'], fields
    return None


def main():
    with tempfile.TemporaryDirectory() as work:
        obj = os.path.join(work, 'types.o')
        subprocess.run(['clang', '-g', '-O2', '-target', 'bpf', '-c', os.path.join(HERE, 'types.c'), '-o', obj], check=True)
        shipped = dump(obj)
    kernel = dump('/sys/kernel/btf/vmlinux')
    names = sorted({t['name'] for t in shipped[0] if t['kind'] == 'STRUCT' and t['name'] not in ('(anon)', 'tcx_shipped_types')})
    bad = 0
    for name in names:
        ours, theirs = layout(*shipped, name), layout(*kernel, name)
        if theirs is None:
            print(f'{name}: not in the kernel')
        elif ours != theirs:
            bad += 1
            print(f'{name}: differs\n  shipped {ours}\n  kernel  {theirs}')
        else:
            print(f'{name}: same')
    sys.exit(1 if bad else 0)


main()
