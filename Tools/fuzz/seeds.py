#!/usr/bin/env python3
"""Seeds for FuzzBytecode and FuzzJITDifferential: every executable section of the fixture
objects, each prefixed with the mode byte the targets read (0..5: JIT/interpreter x SCHED_CLS/
run-time checks only/socket filter). Written at run time from Tests/Fixtures, never committed a
second time.

A section's map references are relocations the loader applies; raw, its `lddw` loads 0 and the
program is refused. They are rewritten to name the targets' own maps by index (BPF_PSEUDO_MAP_IDX,
src 5): a map of the object becomes the target map of its kind (found from its BTF definition in
`.maps` or its legacy definition in `maps`), and a global variable a value of the array map
(BPF_PSEUDO_MAP_IDX_VALUE, src 6, offset 0)."""
import os, struct, sys

# The targets' maps, in order (FuzzBytecode.swift, FuzzMaps.swift): array, hash, ring, queue, progs.
ARRAY, HASH, RING, QUEUE, PROGS = range(5)
BY_TYPE = {2: ARRAY, 6: ARRAY, 1: HASH, 5: HASH, 9: HASH, 10: HASH, 11: HASH,
           27: RING, 22: QUEUE, 23: QUEUE, 3: PROGS}
R_BPF_64_64 = 1


class Elf:
    def __init__(self, data):
        self.data = data
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = []
        for i in range(shnum):
            name, kind, flags, _, offset, size, link, info, _, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(dict(name=name, kind=kind, flags=flags, offset=offset, size=size,
                                      link=link, info=info, entsize=entsize))
        names = self.sections[shstrndx] if shstrndx < shnum else None
        for s in self.sections:
            s["name"] = self.string(names, s["name"]) if names else ""

    def string(self, table, offset):
        start = table["offset"] + offset
        end = self.data.index(b"\0", start)
        return self.data[start:end].decode("latin-1")

    def body(self, section):
        return self.data[section["offset"]:section["offset"] + section["size"]]

    def named(self, name):
        return next((s for s in self.sections if s["name"] == name), None)

    def symbols(self):
        table = next((s for s in self.sections if s["kind"] == 2), None)
        if not table:
            return []
        strings = self.sections[table["link"]]
        out = []
        for at in range(table["offset"], table["offset"] + table["size"], 24):
            name, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", self.data, at)
            out.append((self.string(strings, name), shndx, value))
        return out


def btf_map_types(elf):
    """The map type of each BTF-defined map, by its offset in `.maps`."""
    btf = elf.named(".BTF")
    if not btf:
        return {}
    data = elf.body(btf)
    if len(data) < 24 or struct.unpack_from("<H", data, 0)[0] != 0xEB9F:
        return {}
    hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<IIIII", data, 4)
    strings = hdr_len + str_off

    def name(offset):
        start = strings + offset
        return data[start:data.index(b"\0", start)].decode("latin-1")

    types = [None]
    at, end = hdr_len + type_off, hdr_len + type_off + type_len
    trailing = {1: lambda v: 4, 3: lambda v: 12, 4: lambda v: 12 * v, 5: lambda v: 12 * v, 6: lambda v: 8 * v,
                13: lambda v: 8 * v, 14: lambda v: 4, 15: lambda v: 12 * v, 17: lambda v: 4, 19: lambda v: 12 * v}
    while at + 12 <= end:
        name_off, info, size_or_type = struct.unpack_from("<III", data, at)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        extra = trailing.get(kind, lambda v: 0)(vlen)
        types.append((kind, name_off, size_or_type, data[at + 12:at + 12 + extra], vlen))
        at += 12 + extra

    def resolve(t):
        for _ in range(32):  # typedefs, qualifiers
            if t <= 0 or t >= len(types) or types[t][0] not in (8, 9, 10, 11, 18):
                return t
            t = types[t][2]
        return 0

    def map_type(struct_id):
        t = resolve(struct_id)
        if not t or types[t][0] != 4:
            return None
        _, _, _, members, vlen = types[t]
        for m in range(vlen):
            m_name, m_type, _ = struct.unpack_from("<III", members, 12 * m)
            if name(m_name) != "type":
                continue
            p = resolve(m_type)
            if p and types[p][0] == 2:
                a = resolve(types[p][2])
                if a and types[a][0] == 3:
                    return struct.unpack_from("<III", types[a][3], 0)[2]
        return None

    found = {}
    for kind, name_off, _, extra, vlen in types[1:]:
        if kind != 15 or name(name_off) != ".maps":
            continue
        for v in range(vlen):
            var, offset, _ = struct.unpack_from("<III", extra, 12 * v)
            if 0 < var < len(types) and types[var][0] == 14:
                found[offset] = map_type(types[var][2])
    return found


def relocated_code_sections(elf):
    """Each executable section's code with its map and global-data references rewritten."""
    symbols = elf.symbols()
    btf_types = btf_map_types(elf)
    legacy = elf.named("maps")
    for index, section in enumerate(elf.sections):
        if section["kind"] != 1 or not section["flags"] & 0x4 or not 8 <= section["size"] <= 4096 * 8:
            continue
        code = bytearray(elf.body(section))
        for rel in elf.sections:
            if rel["kind"] != 9 or rel["info"] != index:
                continue
            for at in range(rel["offset"], rel["offset"] + rel["size"], 16):
                offset, info = struct.unpack_from("<QQ", elf.data, at)
                symbol, kind = info >> 32, info & 0xFFFFFFFF
                if kind != R_BPF_64_64 or symbol >= len(symbols) or offset + 16 > len(code) or code[offset] != 0x18:
                    continue
                _, shndx, value = symbols[symbol]
                target = elf.sections[shndx]["name"] if shndx < len(elf.sections) else ""
                if target == ".maps":
                    source, imm = 5, BY_TYPE.get(btf_types.get(value), ARRAY)
                elif target == "maps" and legacy and value + 4 <= legacy["size"]:
                    legacy_type, = struct.unpack_from("<I", elf.data, legacy["offset"] + value)
                    source, imm = 5, BY_TYPE.get(legacy_type, ARRAY)
                elif target.startswith((".data", ".rodata", ".bss")):
                    source, imm = 6, ARRAY
                else:
                    continue
                code[offset + 1] = (code[offset + 1] & 0x0F) | (source << 4)
                struct.pack_into("<i", code, offset + 4, imm)
                struct.pack_into("<i", code, offset + 12, 0)
        yield bytes(code)


def main(fixtures, out):
    os.makedirs(out, exist_ok=True)
    count = 0
    for root, _, names in os.walk(fixtures):
        for name in sorted(names):
            if not name.endswith(".o"):
                continue
            data = open(os.path.join(root, name), "rb").read()
            if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
                continue
            try:
                sections = list(relocated_code_sections(Elf(data)))
            except (struct.error, ValueError, IndexError):
                continue  # a hostile fixture (the object corpus has some): no seed from it
            for k, code in enumerate(sections):
                for mode in range(6):
                    target = os.path.join(out, f"{name}-{k}-{mode}")
                    with open(target, "wb") as f:
                        f.write(bytes([mode]) + code)
                    count += 1
    print(f"{count} bytecode seeds in {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
