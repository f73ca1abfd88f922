import BPFVM

/// bpf_tcp_raw_gen_syncookie_ipv4/ipv6 and bpf_tcp_raw_check_syncookie_ipv4/ipv6: SYN cookies
/// from the headers alone, with no listener. The cookie has the kernel's layout — a hash of the
/// 4-tuple plus the client's sequence, the minute counter in the top 8 bits, the MSS index
/// under a second hash in the low 24 — but its hashes are keyed per process (the kernel's key is
/// random per boot), so only a cookie this process issued checks as valid, as in the kernel.
enum RawSyncookieHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(204, name: "tcp_raw_gen_syncookie_ipv4") { generate(&$0, family: .v4) }
        table.register(205, name: "tcp_raw_gen_syncookie_ipv6") { generate(&$0, family: .v6) }
        table.register(206, name: "tcp_raw_check_syncookie_ipv4") { check(&$0, family: .v4) }
        table.register(207, name: "tcp_raw_check_syncookie_ipv6") { check(&$0, family: .v6) }
    }

    enum Family {
        case v4, v6
        var headerSize: Int { self == .v4 ? 20 : 40 }
        /// The MSS values a cookie can encode, by index (the kernel's msstab).
        var mssTable: [UInt16] { self == .v4 ? [536, 1300, 1440, 1460] : [1220, 1420, 1440, 8940] }
        /// What a SYN without an MSS option is taken to offer.
        var defaultMSS: UInt16 { self == .v4 ? 536 : 1220 }
        /// Where the source address starts, and how long addresses are.
        var addresses: (offset: Int, count: Int) { self == .v4 ? (12, 4) : (8, 16) }
    }

    static let tcpHeader = 20
    /// Bits of the cookie below the minute counter.
    static let cookieBits: UInt32 = 24
    static let cookieMask: UInt32 = (1 << 24) - 1
    /// A cookie is valid in the minute it was issued and the next one.
    static let maxAge: UInt32 = 2

    static func generate(_ call: inout HelperCall, family: Family) -> UInt64 {
        let length = Int(UInt32(truncatingIfNeeded: call.r3))
        guard let ip = call.memory(at: call.r1, count: family.headerSize, write: false, "syncookie IP header"),
              let tcp = call.memory(at: call.r2, count: length, write: false, "syncookie TCP header") else { return 0 }
        guard length >= tcpHeader, length == Int(tcp[12] >> 4) * 4 else { return failed(.EINVAL) }
        let offered = mssOption(Array(tcp)) ?? family.defaultMSS
        let table = family.mssTable
        let index = table.lastIndex { offered >= $0 } ?? 0
        let flow = Flow(ip: Array(ip), tcp: Array(tcp), family: family)
        let cookie = flow.cookie(sequence: flow.sequence, minute: minute(call), index: UInt32(index))
        return UInt64(cookie) | UInt64(table[index]) << 32
    }

    static func check(_ call: inout HelperCall, family: Family) -> UInt64 {
        guard let ip = call.memory(at: call.r1, count: family.headerSize, write: false, "syncookie IP header"),
              let tcp = call.memory(at: call.r2, count: tcpHeader, write: false, "syncookie TCP header") else { return 0 }
        let flow = Flow(ip: Array(ip), tcp: Array(tcp), family: family)
        let cookie = flow.acknowledgment &- 1
        guard let index = flow.index(of: cookie, sequence: flow.sequence &- 1, minute: minute(call)),
              index < UInt32(family.mssTable.count) else { return failed(.EACCES) }
        return 0
    }

    /// The kernel's cookie clock: jiffies / (60 HZ).
    static func minute(_ call: HelperCall) -> UInt32 {
        UInt32(truncatingIfNeeded: ClockHelpers.jiffies(call) / (60 * ClockHelpers.ticksPerSecond))
    }

    /// The value of the last MSS option (kind 2, length 4, non-zero) in the options, walked as
    /// the kernel does: stop at end-of-list or at an option that does not fit.
    static func mssOption(_ header: [UInt8]) -> UInt16? {
        var at = tcpHeader
        let end = min(header.count, Int(header[12] >> 4) * 4)
        var found: UInt16?
        while at < end {
            let kind = header[at]
            if kind == 0 { break }
            if kind == 1 { at += 1; continue }
            guard end - at >= 2 else { break }
            let size = Int(header[at + 1])
            guard size >= 2, size <= end - at else { break }
            if kind == 2 && size == 4 {
                let value = UInt16(header[at + 2]) << 8 | UInt16(header[at + 3])
                if value != 0 { found = value }
            }
            at += size
        }
        return found
    }

    /// The addresses, ports and sequence numbers a cookie is bound to.
    struct Flow {
        let endpoints: [UInt8]
        let sequence: UInt32
        let acknowledgment: UInt32

        init(ip: [UInt8], tcp: [UInt8], family: Family) {
            let (offset, count) = family.addresses
            endpoints = Array(ip[offset ..< offset + 2 * count]) + Array(tcp[0 ..< 4])
            sequence = Self.word(tcp, 4)
            acknowledgment = Self.word(tcp, 8)
        }

        static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
            bytes[at ..< at + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }

        /// A per-process keyed hash of the endpoints with a counter and a salt.
        func hash(_ counter: UInt32, _ salt: UInt32) -> UInt32 {
            var hasher = Hasher()
            hasher.combine(endpoints)
            hasher.combine(counter)
            hasher.combine(salt)
            return UInt32(truncatingIfNeeded: hasher.finalize())
        }

        func cookie(sequence: UInt32, minute: UInt32, index: UInt32) -> UInt32 {
            hash(0, 0) &+ sequence &+ (minute << cookieBits) &+ ((hash(minute, 1) &+ index) & cookieMask)
        }

        /// The MSS index a cookie encodes, or nil when it is older than `maxAge` minutes.
        func index(of cookie: UInt32, sequence: UInt32, minute: UInt32) -> UInt32? {
            let rest = cookie &- (hash(0, 0) &+ sequence)
            let age = (minute &- (rest >> cookieBits)) & (UInt32.max >> cookieBits)
            guard age < maxAge else { return nil }
            return (rest &- hash(minute &- age, 1)) & cookieMask
        }
    }
}
