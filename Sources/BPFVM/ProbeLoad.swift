/// Loads through BTF pointers, as the kernel's BPF_PROBE_MEM loads run: an address the run may
/// read gives its bytes, any other gives 0 and the program goes on. Only memory the run owns is
/// ever read (`RunMemory.allows`), never anything else of the host.
enum ProbeLoad {
    static func value(at address: UInt64, aux: UInt8, memory: RunMemory) -> UInt64 {
        let size = UInt64(aux & 0xf)
        guard memory.allows(address, size: size, write: false),
              let source = UnsafeRawPointer(bitPattern: UInt(address)) else { return 0 }
        let signed = aux & ExecOp.signedLoad != 0
        switch size {
        case 1: return signed ? UInt64(bitPattern: Int64(source.load(as: Int8.self))) : UInt64(source.load(as: UInt8.self))
        case 2: return signed ? UInt64(bitPattern: Int64(source.loadUnaligned(as: Int16.self)))
                              : UInt64(source.loadUnaligned(as: UInt16.self))
        case 4: return signed ? UInt64(bitPattern: Int64(source.loadUnaligned(as: Int32.self)))
                              : UInt64(source.loadUnaligned(as: UInt32.self))
        default: return source.loadUnaligned(as: UInt64.self)
        }
    }
}
