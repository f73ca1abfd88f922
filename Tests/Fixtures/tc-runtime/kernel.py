"""Runs tc-runtime fixtures on the running kernel with BPF_PROG_TEST_RUN (root only).

Programs without relocations only: the section's bytes are loaded as they are."""
import ctypes, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
SYS_BPF = 321


def sections(path):
    data = open(path, 'rb').read()
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    heads = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize) for i in range(shnum)]
    strtab = heads[shstrndx]
    def name(off):
        start = strtab[4] + off
        return data[start:data.index(b'\0', start)].decode()
    return {name(h[0]): data[h[4]:h[4] + h[5]] for h in heads}


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    return ret, ctypes.get_errno(), buf.raw


def load(insns, name=b'fixture'):
    code = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b'GPL')
    log = ctypes.create_string_buffer(1 << 20)
    attr = bytearray(168)
    struct.pack_into('<IIQQIIQ', attr, 0, 3, len(insns) // 8, ctypes.addressof(code), ctypes.addressof(lic),
                     1, len(log), ctypes.addressof(log))
    attr[48:48 + len(name)] = name[:15]
    fd, err, _ = bpf(5, attr)
    if fd < 0:
        raise OSError(err, log.value.decode(errors='replace')[-2000:])
    return fd


def test_run(fd, packet, repeat=1, out_size=65536):
    data_in = ctypes.create_string_buffer(bytes(packet), len(packet))
    data_out = ctypes.create_string_buffer(out_size)
    attr = bytearray(80)
    struct.pack_into('<IIIIQQI', attr, 0, fd, 0, len(packet), out_size, ctypes.addressof(data_in),
                     ctypes.addressof(data_out), repeat)
    ret, err, raw = bpf(10, attr)
    if ret < 0:
        return {'errno': err}
    retval, size = struct.unpack_from('<I4xI', raw, 4)
    return {'retval': retval, 'out': data_out.raw[:size]}


if __name__ == '__main__':
    obj, sec, hexpkt = sys.argv[1], sys.argv[2], sys.argv[3]
    fd = load(sections(obj)[sec])
    r = test_run(fd, bytes.fromhex(hexpkt))
    if 'out' in r:
        print(r['retval'], r['out'].hex())
    else:
        print('errno', r['errno'])
