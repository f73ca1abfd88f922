#!/usr/bin/env python3
"""Prints Sources/BPFVM/Analysis/HelperPrototypeTable+Generated.swift: the argument types of every helper a
tc program may be offered, read from the `struct bpf_func_proto` definitions of a kernel tree
(`apt-get install linux-source-6.12`, then untar /usr/src/linux-source-6.12.tar.xz). A helper
id is resolved to its prototype the way tc_cls_act_func_proto resolves it (then
bpf_sk_base_func_proto, bpf_base_func_proto, then the helper's own `bpf_NAME_proto`).
Usage: generate.py LINUX_TREE > Sources/BPFVM/Analysis/HelperPrototypeTable+Generated.swift
probe/ loads each helper with many argument shapes on both backends and counts where they differ."""
import glob
import re
import sys

tree = sys.argv[1]
sources = [tree + "/net/core/filter.c", tree + "/net/core/sock_map.c", tree + "/net/core/bpf_sk_storage.c",
           tree + "/kernel/trace/bpf_trace.c"] + sorted(glob.glob(tree + "/kernel/bpf/*.c")) \
    + sorted(glob.glob(tree + "/net/ipv4/*.c"))

# Byte counts of the fixed-size memory arguments (ARG_PTR_TO_FIXED_SIZE_MEM's arg_size).
SIZES = {"sizeof(u32)": 4, "sizeof(u64)": 8, "sizeof(s64)": 8, "sizeof(struct iphdr)": 20,
         "sizeof(struct ipv6hdr)": 40, "sizeof(struct tcphdr)": 20}

# The kernel's base argument types, by the name this table gives them.
KINDS = {
    "ARG_ANYTHING": "anything", "ARG_CONST_MAP_PTR": "mapPointer", "ARG_PTR_TO_MAP_KEY": "mapKey",
    "ARG_PTR_TO_MAP_VALUE": "mapValue", "ARG_PTR_TO_MEM": "memory", "ARG_CONST_SIZE": "size",
    "ARG_CONST_SIZE_OR_ZERO": "sizeOrZero", "ARG_CONST_ALLOC_SIZE_OR_ZERO": "allocationSize",
    "ARG_SCALAR": "number", "ARG_PTR_TO_CTX": "context", "ARG_PTR_TO_SOCK_COMMON": "socketCommon",
    "ARG_PTR_TO_BTF_ID_SOCK_COMMON": "btfSocketCommon", "ARG_PTR_TO_SOCKET": "socket",
    "ARG_PTR_TO_BTF_ID": "btfObject", "ARG_PTR_TO_PERCPU_BTF_ID": "perCPUObject",
    "ARG_PTR_TO_SPIN_LOCK": "spinLock", "ARG_PTR_TO_RINGBUF_MEM": "ringbufRecord", "ARG_PTR_TO_FUNC": "function",
    "ARG_PTR_TO_STACK": "stack", "ARG_PTR_TO_CONST_STR": "constantString", "ARG_PTR_TO_TIMER": "timer",
    "ARG_KPTR_XCHG_DEST": "kptrDestination", "ARG_PTR_TO_DYNPTR": "dynptr",
}
# Shorthands the kernel defines over a base type and flags.
ALIASES = {
    "ARG_PTR_TO_UNINIT_MEM": ["ARG_PTR_TO_MEM", "MEM_UNINIT", "MEM_WRITE"],
    "ARG_PTR_TO_FIXED_SIZE_MEM": ["ARG_PTR_TO_MEM", "MEM_FIXED_SIZE"],
}
FLAGS = {"PTR_MAYBE_NULL": "nullable", "MEM_RDONLY": "readOnly", "MEM_UNINIT": "uninitialized",
         "OBJ_RELEASE": "release", "MEM_WRITE": None, "MEM_ALIGNED": None, "MEM_FIXED_SIZE": None,
         "DYNPTR_TYPE_LOCAL": None, "DYNPTR_TYPE_RINGBUF": None}

protos = {}
for path in sources:
    text = open(path, errors="replace").read()
    for match in re.finditer(r"struct bpf_func_proto\s+(\w+)\s*=\s*\{(.*?)\n\};", text, re.S):
        body = match.group(2)
        args = {int(a.group(1)): re.sub(r"\s+", "", a.group(2))
                for a in re.finditer(r"\.arg(\d)_type\s*=\s*([^,\n]+),", body)}
        sizes = {int(a.group(1)): a.group(2).strip() for a in re.finditer(r"\.arg(\d)_size\s*=\s*([^,\n]+),", body)}
        packet = re.search(r"\.pkt_access\s*=\s*true", body) is not None
        protos[match.group(1)] = (args, sizes, packet)


def offered(path, function):
    """The prototype each `case BPF_FUNC_x:` of a func_proto switch returns."""
    text = open(path).read()
    body = re.search(r"^" + function + r"\(enum bpf_func_id func_id.*?\n\}", text, re.S | re.M).group(0)
    found, pending = {}, []
    for line in body.split("\n"):
        pending += re.findall(r"case BPF_FUNC_(\w+):", line)
        if not re.search(r"\b(return|func =)", line):
            continue
        ret = re.search(r"&(\w+_proto)\b", line)
        printk = re.search(r"return bpf_get_(trace_v?printk)_proto\(\)", line)
        name = ret.group(1) if ret else "bpf_" + printk.group(1) + "_proto" if printk else None
        # A prototype chosen by a call or over several lines is the helper's own, by its name.
        for case in pending:
            found.setdefault(case, name or "bpf_" + case + "_proto")
        pending = []
    return found


ids = {m.group(1): int(m.group(2))
       for m in re.finditer(r"FN\((\w+),\s*(\d+),", open(tree + "/include/uapi/linux/bpf.h").read())}
lookups = [offered(tree + "/net/core/filter.c", "tc_cls_act_func_proto"),
           offered(tree + "/net/core/filter.c", "bpf_sk_base_func_proto"),
           offered(tree + "/kernel/bpf/helpers.c", "bpf_base_func_proto")]


def swift_argument(arg_type, size):
    parts = arg_type.split("|")
    base = parts[0]
    if base.endswith("_OR_NULL"):
        base = base[: -len("_OR_NULL")]
        parts.append("PTR_MAYBE_NULL")
    if base in ALIASES:
        parts += ALIASES[base][1:]
        base = ALIASES[base][0]
    flags = sorted({FLAGS[f] for f in parts[1:] if FLAGS[f]})
    text = "." + KINDS[base]
    extra = []
    if flags:
        extra.append("[" + ", ".join("." + f for f in flags) + "]")
    if size:
        extra.append("bytes: %d" % SIZES[size])
    return ".init(" + text + (", " + ", ".join(extra) if extra else "") + ")"


# Prototypes Linux 6.18 offers tc that a 6.12 tree lacks, as loads on a 6.18 kernel show them.
NEWER = {"get_netns_cookie": ({1: "ARG_PTR_TO_CTX_OR_NULL"}, {}, False)}

rows, packet_access = [], []
for name, ident in sorted(ids.items(), key=lambda item: item[1]):
    proto = next((lookup[name] for lookup in lookups if name in lookup), "bpf_" + name + "_proto")
    if proto not in protos and name not in NEWER:
        continue
    args, sizes, packet = protos.get(proto) or NEWER[name]
    count = max(args) if args else 0
    values = [swift_argument(args.get(i, "ARG_ANYTHING"), sizes.get(i)) for i in range(1, count + 1)]
    rows.append("        %d: [%s],  // %s" % (ident, ", ".join(values), name))
    if packet:
        packet_access.append(ident)

print("// Generated by Tools/helper-prototypes/generate.py from the kernel's bpf_func_proto structs.")
print()
print("extension HelperPrototypeTable {")
print("    /// The argument types of each helper's prototype as tc programs are offered it, r1 first.")
print("    static let arguments: [Int32: [HelperArgument]] = [")
print("\n".join(rows))
print("    ]")
print()
print("    /// Helpers whose prototype sets `pkt_access`: the only ones a packet pointer may be passed to.")
print("    static let packetAccess: Set<Int32> = [" + ", ".join(map(str, packet_access)) + "]")
print("}")
