"""Renames the integer types of a raw BTF file from clang's spelling to gcc's
("unsigned short" -> "short unsigned int"), as a gcc-built kernel's BTF names them: CO-RE's
type matching compares these names, so the shipped BTF must use the kernel's.
Usage: python3 gcc_int_names.py FILE.btf (rewritten in place)."""
import struct
import sys

GCC_NAMES = {
    'short': 'short int',
    'unsigned short': 'short unsigned int',
    'long': 'long int',
    'unsigned long': 'long unsigned int',
    'long long': 'long long int',
    'unsigned long long': 'long long unsigned int',
}
# Bytes of each kind's trailing data: (fixed, per vlen entry).
TRAILING = {1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 7: (0, 0), 8: (0, 0),
            9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0), 13: (0, 8), 14: (4, 0), 15: (0, 12), 16: (0, 0),
            17: (4, 0), 18: (0, 0), 19: (0, 12)}


def main(path):
    data = bytearray(open(path, 'rb').read())
    magic, version, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from('<HBBIIIII', data)
    assert magic == 0xeb9f and str_off + str_len == len(data) - hdr_len, 'strings must end the file'
    strings = hdr_len + str_off

    def name_at(off):
        end = data.index(0, strings + off)
        return data[strings + off:end].decode()

    added = {}
    pos, end = hdr_len + type_off, hdr_len + type_off + type_len
    while pos < end:
        name_off, info, _ = struct.unpack_from('<III', data, pos)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        if kind == 1 and name_at(name_off) in GCC_NAMES:
            new = GCC_NAMES[name_at(name_off)]
            if new not in added:
                added[new] = str_len
                data += new.encode() + b'\0'
                str_len += len(new) + 1
            struct.pack_into('<I', data, pos, added[new])
        fixed, per = TRAILING[kind]
        pos += 12 + fixed + per * vlen
    struct.pack_into('<I', data, 20, str_len)
    open(path, 'wb').write(data)


main(sys.argv[1])
