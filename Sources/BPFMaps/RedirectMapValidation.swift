import BPFCore

/// BPF_MAP_CREATE's rules for the device, CPU and socket maps, as measured on Linux 6.18.
/// Every refusal is EINVAL except the ones named: a CPU map past NR_CPUS and a sockhash key past
/// the BPF stack are E2BIG, a slot array too large to allocate is ENOMEM.
extension MapSpec {
    /// NR_CPUS of the measured kernel (x86_64 defconfig): a CPU map has at most this many slots.
    static let cpumapMaxEntries: UInt32 = 256
    /// A sockhash key must fit on the BPF stack (MAX_BPF_STACK).
    static let sockhashMaxKey: UInt32 = 512
    /// A sockhash's bucket array (16-byte buckets, a power of two) must stay under 4 GiB.
    static let sockhashMaxEntries: UInt32 = 1 << 27
    /// A device hash rounds max_entries up to a power of two, which must fit 32 bits.
    static let devmapHashMaxEntries: UInt32 = 1 << 31

    func validateRedirectMap() throws(MapError) {
        guard mapExtra == 0 else { throw MapError(.EINVAL, "map_extra is for bloom filters, not \(type)") }
        let descriptorFlags = Self.numaNode | MapFlags.rdonly | MapFlags.wronly
        switch type {
        case .devmap, .devmapHash:
            // A slot is an ifindex, optionally followed by the fd (later the id) of an XDP program.
            try checkSanity(valueSizes: [4, 8], flags: descriptorFlags)
            if type == .devmapHash, maxEntries > Self.devmapHashMaxEntries {
                throw MapError(.EINVAL, "devmap_hash max_entries \(maxEntries) rounds up past 2^31 buckets")
            }
            if type == .devmap { try checkPointerArray() }
        case .cpumap:
            // A slot is a queue size, optionally followed by an XDP program's fd.
            try checkSanity(valueSizes: [4, 8], flags: Self.numaNode)
            guard maxEntries <= Self.cpumapMaxEntries else {
                throw MapError(.E2BIG, "cpumap max_entries \(maxEntries) exceeds NR_CPUS (\(Self.cpumapMaxEntries))")
            }
        case .xskmap:
            try checkSanity(valueSizes: [4], flags: descriptorFlags)
            try checkPointerArray()
        case .sockmap:
            try checkSanity(valueSizes: [4, 8], flags: descriptorFlags)
            guard maxEntries <= UInt32(Int32.max) else {
                throw MapError(.EINVAL, "sockmap max_entries \(maxEntries) exceeds INT_MAX")
            }
        case .sockhash:
            try validateSockhash(flags: descriptorFlags)
        case .reuseportSockarray:
            try validateReuseportArray()
        default:
            throw MapError(.EINVAL, "unknown map type \(type.rawValue)")
        }
    }

    /// The first check of every device, CPU and socket array: a 4-byte key, a value of one of
    /// the sizes the type defines, some slots, and only the flags it takes.
    private func checkSanity(valueSizes: [UInt32], flags allowed: UInt32) throws(MapError) {
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard keySize == 4 else { throw MapError(.EINVAL, "\(type) key size must be 4, not \(keySize)") }
        guard valueSizes.contains(valueSize) else {
            let sizes = valueSizes.map(String.init).joined(separator: " or ")
            throw MapError(.EINVAL, "\(type) value size must be \(sizes), not \(valueSize)")
        }
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for \(type)")
        }
    }

    /// A pointer per slot, allocated at once: on a 6.18 machine with 23 GiB, 2^31 - 1 slots were
    /// accepted and 2^32 - 1 were ENOMEM; between the two it depends on the machine's memory.
    private func checkPointerArray() throws(MapError) {
        guard maxEntries <= UInt32(Int32.max) else {
            throw MapError(.ENOMEM, "max_entries \(maxEntries) needs more memory than a pointer array may take")
        }
    }

    private func validateSockhash(flags allowed: UInt32) throws(MapError) {
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard keySize != 0 else { throw MapError(.EINVAL, "key size is 0") }
        guard valueSize == 4 || valueSize == 8 else {
            throw MapError(.EINVAL, "sockhash value size must be 4 or 8, not \(valueSize)")
        }
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for sockhash")
        }
        guard keySize <= Self.sockhashMaxKey else {
            throw MapError(.E2BIG, "sockhash key size \(keySize) exceeds the BPF stack (\(Self.sockhashMaxKey) bytes)")
        }
        guard maxEntries <= Self.sockhashMaxEntries else {
            throw MapError(.EINVAL, "sockhash max_entries \(maxEntries) needs more than 2^27 buckets")
        }
    }

    /// An array's rules (without BPF_F_MMAPABLE and BPF_F_INNER_MAP), with a socket's value size.
    private func validateReuseportArray() throws(MapError) {
        guard valueSize == 4 || valueSize == 8 else {
            throw MapError(.EINVAL, "reuseport_sockarray value size must be 4 or 8, not \(valueSize)")
        }
        guard maxEntries != 0 else { throw MapError(.EINVAL, "max_entries is 0") }
        guard keySize == 4 else { throw MapError(.EINVAL, "reuseport_sockarray key size must be 4, not \(keySize)") }
        let allowed = Self.numaNode | Self.accessFlags
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for reuseport_sockarray")
        }
        guard flags & (MapFlags.rdonlyProg | MapFlags.wronlyProg) != MapFlags.rdonlyProg | MapFlags.wronlyProg else {
            throw MapError(.EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together")
        }
        try checkPointerArray()
    }
}
