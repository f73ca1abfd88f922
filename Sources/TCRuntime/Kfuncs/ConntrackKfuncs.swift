import BPFCore
import BPFVM

/// The conntrack kfuncs at run time (net/netfilter/nf_conntrack_bpf.c, Linux 6.18), on the
/// world's `ConntrackTable`: lookups, entries allocated, set up, inserted and changed. Every
/// opts error is the kernel's, in the kernel's order (measured in
/// Tests/Fixtures/corpus/kfunc/conntrack.tcx). An entry handed out is its `struct nf_conn`
/// image, granted to the run (readable, and writable for the mark the verifier lets through).
enum ConntrackKfuncs {
    /// NF_BPF_CT_OPTS_SZ and the size before zones came (NF_BPF_CT_OPTS_OLD_SZ).
    static let optsSize: UInt64 = 16
    static let oldOptsSize: UInt64 = 12
    /// `opts->error` is written only when the size given covers it.
    static let errorEnd: UInt64 = 8
    /// BPF_F_CURRENT_NETNS.
    static let currentNamespace: Int32 = -1
    /// An entry's life from alloc until the program sets one, in seconds.
    static let allocTimeoutSeconds: UInt64 = 10
    /// `struct bpf_sock_tuple`'s IPv4 and IPv6 sizes.
    static let ipv4TupleSize: UInt64 = 12
    static let ipv6TupleSize: UInt64 = 36

    static func register(_ table: inout KfuncTable) {
        table.register(.skbConntrackLookup) { call in lookup(&call) }
        table.register(.skbConntrackAlloc) { call in alloc(&call) }
        // The XDP ones only load (the embedded backend runs no XDP program); a tc program
        // calling them is refused by the verifier, so they never run here.
        table.register(.xdpConntrackLookup) { _ in 0 }
        table.register(.xdpConntrackAlloc) { _ in 0 }
        table.register(.conntrackInsertEntry, insert)
        table.register(.conntrackRelease, release)
        table.register(.conntrackSetTimeout) { call in
            guard let entry = held(call, call.r1) else { return 0 }
            setTimeout(entry, milliseconds: UInt32(truncatingIfNeeded: call.r2), now: now(call))
            return 0
        }
        table.register(.conntrackChangeTimeout) { call in
            guard let entry = held(call, call.r1) else { return 0 }
            return result(changeTimeout(entry, milliseconds: UInt32(truncatingIfNeeded: call.r2), now: now(call)))
        }
        table.register(.conntrackSetStatus) { call in
            guard let entry = held(call, call.r1) else { return 0 }
            return result(changeStatus(entry, to: UInt32(truncatingIfNeeded: call.r2)))
        }
        table.register(.conntrackChangeStatus) { call in
            guard let entry = held(call, call.r1) else { return 0 }
            return result(changeStatus(entry, to: UInt32(truncatingIfNeeded: call.r2)))
        }
        table.register(.conntrackSetNATInfo, ConntrackNAT.setInfo)
    }

    private static func result(_ error: LinuxErrno?) -> UInt64 { error.map(failed) ?? 0 }

    /// The kernel's 32-bit jiffies (nfct_time_stamp), on the clock `bpf_jiffies64` reads.
    static func now(_ call: HelperCall) -> UInt32 { UInt32(truncatingIfNeeded: ClockHelpers.jiffies(call)) }

    /// msecs_to_jiffies at the kernel's tick rate, rounded up.
    static func jiffies(milliseconds: UInt32) -> UInt64 {
        let perTick = 1000 / ClockHelpers.ticksPerSecond
        return (UInt64(milliseconds) + perTick - 1) / perTick
    }

    /// The entry a program passes back: one this run was handed.
    static func held(_ call: HelperCall, _ address: UInt64) -> ConntrackEntry? {
        TCRun.borrow(call) { $0.conntrackHeld[address] }
    }

    // MARK: Lookup and alloc

    /// What `opts` and the tuple say, checked as the kernel checks them.
    struct Request {
        var tuple: ConntrackTuple
        var zone: ConntrackZone
    }

    enum Parsed {
        case request(Request)
        case refused(LinuxErrno)
    }

    /// The opts block (as much of it as the size given covers), or nil when absent or not the
    /// program's.
    private static func opts(_ call: inout HelperCall, _ address: UInt64, size: UInt64) -> UnsafeMutableRawBufferPointer? {
        guard address != 0, size > 0 else { return nil }
        return call.bytes(at: address, count: Int(min(size, optsSize)), write: true)
    }

    /// __bpf_nf_ct_lookup's and __bpf_nf_ct_alloc_entry's checks before the table: the errno
    /// refusing the request, in the kernel's order (`lookup` checks the protocol before the
    /// namespace, alloc after it, inside the tuple's parse).
    private static func parse(_ call: inout HelperCall, forLookup: Bool) -> Parsed {
        let optsSize = call.r5, tupleSize = call.r3
        guard call.r4 != 0, call.r2 != 0, let opts = opts(&call, call.r4, size: optsSize) else { return .refused(.EINVAL) }
        guard optsSize == Self.optsSize || optsSize == oldOptsSize else { return .refused(.EINVAL) }
        let zoneID = opts.loadUnaligned(fromByteOffset: 10, as: UInt16.self)
        if optsSize == Self.optsSize {
            if opts[13] != 0 || opts[14] != 0 || opts[15] != 0 { return .refused(.EINVAL) }
        } else if zoneID != 0 {
            return .refused(.EINVAL)
        }
        let l4proto = opts[8]
        let supported = l4proto == 6 || l4proto == 17
        if forLookup, !supported { return .refused(.EPROTO) }
        let namespace = opts.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        if namespace < currentNamespace { return .refused(.EINVAL) }
        if !forLookup, !supported { return .refused(.EPROTO) }
        guard tupleSize == ipv4TupleSize || tupleSize == ipv6TupleSize,
              let bytes = call.bytes(at: call.r2, count: Int(tupleSize), write: false) else { return .refused(.EAFNOSUPPORT) }
        // The embedded world has no other namespace with an id here.
        if namespace >= 0 { return .refused(.ENONET) }
        let addressSize = tupleSize == ipv4TupleSize ? 4 : 16
        let raw = UnsafeRawBufferPointer(bytes)
        let tuple = ConntrackTuple(family: addressSize == 4 ? ConntrackTuple.ipv4 : ConntrackTuple.ipv6,
                                   source: ConntrackAddress(raw, at: 0, size: addressSize),
                                   destination: ConntrackAddress(raw, at: addressSize, size: addressSize),
                                   sourcePort: raw.loadUnaligned(fromByteOffset: 2 * addressSize, as: UInt16.self),
                                   destinationPort: raw.loadUnaligned(fromByteOffset: 2 * addressSize + 2, as: UInt16.self),
                                   protocolNumber: l4proto)
        var zone = ConntrackZone.standard
        if optsSize == Self.optsSize {
            // A zone with no direction holds in both, and the program sees that in its opts.
            if opts[12] == 0 { opts[12] = ConntrackZone.bothDirections }
            zone = ConntrackZone(id: zoneID, directions: opts[12])
        }
        return .request(Request(tuple: tuple, zone: zone))
    }

    /// NULL with `opts->error` set (when the size given covers it), as the kernel fails.
    private static func refuse(_ call: inout HelperCall, _ errno: LinuxErrno) -> UInt64 {
        if call.r4 != 0, call.r5 >= errorEnd, let opts = opts(&call, call.r4, size: call.r5) {
            opts.storeBytes(of: -errno.rawValue, toByteOffset: 4, as: Int32.self)
        }
        return 0
    }

    static func lookup(_ call: inout HelperCall) -> UInt64 {
        let request: Request
        switch parse(&call, forLookup: true) {
        case .refused(let errno): return refuse(&call, errno)
        case .request(let parsed): request = parsed
        }
        let table = TCRun.from(call).services.conntrack
        guard let (entry, direction) = table.find(request.tuple, zone: request.zone, now: now(call)) else {
            return refuse(&call, .ENOENT)
        }
        if let opts = opts(&call, call.r4, size: call.r5) { opts[9] = UInt8(direction) }
        return hand(entry, call)
    }

    static func alloc(_ call: inout HelperCall) -> UInt64 {
        let request: Request
        switch parse(&call, forLookup: false) {
        case .refused(let errno): return refuse(&call, errno)
        case .request(let parsed): request = parsed
        }
        guard let layout = ConntrackLayout.current else { return refuse(&call, .ENOMEM) }
        let entry = ConntrackEntry(layout: layout, original: request.tuple, zone: request.zone)
        entry.timeout = UInt32(allocTimeoutSeconds * ClockHelpers.ticksPerSecond)
        return hand(entry, call)
    }

    /// Gives the run `entry`: its image readable and writable, its address the pointer.
    private static func hand(_ entry: ConntrackEntry, _ call: HelperCall) -> UInt64 {
        TCRun.borrow(call) { run in
            run.conntrackHeld[entry.address] = entry
            run.grant(MemoryRegion(entry.image, writable: true))
        }
        return entry.address
    }

    // MARK: Insert, release, timeouts, status

    /// Confirms the entry (its timeout becomes a time stamp) and puts it in the table; NULL
    /// when a tuple is already there. Either way the `___init` reference is gone.
    static func insert(_ call: inout HelperCall) -> UInt64 {
        guard let entry = held(call, call.r1) else { return 0 }
        let now = now(call)
        if !entry.confirmed { entry.timeout &+= now }
        entry.status |= ConntrackStatus.confirmed
        guard TCRun.from(call).services.conntrack.insert(entry, now: now) == nil else { return 0 }
        return entry.address
    }

    /// The verifier makes sure each reference is released once; the image stays readable to
    /// the run, as freed kernel memory the verifier no longer lets the program reach.
    static func release(_ call: inout HelperCall) -> UInt64 { 0 }

    /// __nf_ct_set_timeout: at most INT_MAX ticks, from now once the entry is in the table.
    static func setTimeout(_ entry: ConntrackEntry, milliseconds: UInt32, now: UInt32) {
        let ticks = UInt32(min(jiffies(milliseconds: milliseconds), UInt64(Int32.max)))
        entry.timeout = entry.confirmed ? now &+ ticks : ticks
    }

    /// __nf_ct_change_timeout: EPERM for a fixed timeout, ETIME (the timeout set) when dying.
    static func changeTimeout(_ entry: ConntrackEntry, milliseconds: UInt32, now: UInt32) -> LinuxErrno? {
        if entry.status & ConntrackStatus.fixedTimeout != 0 { return .EPERM }
        setTimeout(entry, milliseconds: milliseconds, now: now)
        return entry.status & ConntrackStatus.dying != 0 ? .ETIME : nil
    }

    /// nf_ct_change_status_common: EBUSY for a change of the expected, confirmed or dying bit
    /// or clearing seen-reply or assured; otherwise the changeable bits asked for are set
    /// (none is cleared).
    static func changeStatus(_ entry: ConntrackEntry, to wanted: UInt32) -> LinuxErrno? {
        let status = UInt64(wanted), difference = entry.status ^ status
        let fixed = ConntrackStatus.expected | ConntrackStatus.confirmed | ConntrackStatus.dying
        if difference & fixed != 0 { return .EBUSY }
        for bit in [ConntrackStatus.seenReply, ConntrackStatus.assured] where difference & bit != 0 && status & bit == 0 {
            return .EBUSY
        }
        entry.status |= status & ~ConntrackStatus.unchangeable & ConntrackStatus.known
        return nil
    }
}

/// The errnos only the conntrack kfuncs give.
extension LinuxErrno {
    static let ETIME = LinuxErrno(rawValue: 62)
    static let ENONET = LinuxErrno(rawValue: 64)
    static let EPROTO = LinuxErrno(rawValue: 71)
    static let EAFNOSUPPORT = LinuxErrno(rawValue: 97)
}
