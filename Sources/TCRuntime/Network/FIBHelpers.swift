import BPFCore
import BPFVM

/// bpf_fib_lookup, bpf_check_mtu and bpf_redirect_neigh: the helpers that ask the world's
/// routes, neighbours and MTUs (net/core/filter.c).
enum FIBHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(69, name: "fib_lookup", fibLookup)
        table.register(163, name: "check_mtu", checkMTU)
        table.register(152, name: "redirect_neigh", redirectNeigh)
    }

    /// The device the skb is on (`skb->dev`): the test-run's or the hook's.
    static func skbDevice(_ run: TCRun, _ net: NetworkSnapshot) -> NetDevice? {
        net.device(run.skb.metadata.ifindex)
    }

    static func fibLookup(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let length = Int32(truncatingIfNeeded: call.r3)
        guard length >= Int32(FIBParams.size) else { return failed(.EINVAL) }
        guard let memory = call.memory(at: call.r2, count: FIBParams.size, write: true, "fib_lookup params") else { return 0 }
        let flags = call.r4
        guard flags & ~FIB.allFlags == 0 else { return failed(.EINVAL) }
        let net = run.services.network.snapshot
        var params = FIBParams(bytes: Array(memory))
        let checkedMTU = params.u16(FIBParams.totLen) != 0
        var code = FIB.lookup(&params, flags: flags, in: net)
        if code == FIB.Result.success.rawValue && !checkedMTU, let device = net.device(params.u32(FIBParams.ifindex)) {
            // Without tot_len the skb itself must fit the egress device.
            if !isForwardable(run.skb, to: device) { code = FIB.Result.fragmentationNeeded.rawValue }
            params.set16(FIBParams.totLen, UInt16(truncatingIfNeeded: device.mtu))
        }
        memory.copyBytes(from: params.bytes)
        return UInt64(bitPattern: code)
    }

    /// is_skb_forwardable: up, and no longer than the MTU plus the link and one VLAN header.
    static func isForwardable(_ skb: SKBuff, to device: NetDevice) -> Bool {
        UInt64(skb.length) <= UInt64(device.mtu) + UInt64(NetDevice.hardHeaderLength) + 4
            || skb.metadata.gsoSize != 0
    }

    static let mtuCheckSegments: UInt64 = 1

    static func checkMTU(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let flags = call.r5
        guard let slot = call.memory(at: call.r3, count: 4, write: true, "check_mtu mtu_len") else { return 0 }
        guard flags & ~mtuCheckSegments == 0 else { return failed(.EINVAL) }
        let given = slot.loadUnaligned(as: UInt32.self)
        let lengthDiff = Int32(truncatingIfNeeded: call.r4)
        if flags & mtuCheckSegments != 0 && (lengthDiff != 0 || given != 0) { return failed(.EINVAL) }
        let net = run.services.network.snapshot
        let ifindex = UInt32(truncatingIfNeeded: call.r2)
        guard let device = ifindex == 0 ? skbDevice(run, net) : net.device(ifindex) else { return failed(.ENODEV) }
        // The kernel computes in int: wrap as it does.
        let mtu = Int32(truncatingIfNeeded: device.mtu)
        let deviceLength = mtu &+ Int32(NetDevice.hardHeaderLength)
        var skbLength = given != 0 ? Int32(truncatingIfNeeded: given &+ NetDevice.hardHeaderLength)
                                   : Int32(truncatingIfNeeded: run.skb.length)
        skbLength = skbLength &+ lengthDiff
        var code: UInt64 = 1  // BPF_MTU_CHK_RET_FRAG_NEEDED
        if skbLength <= deviceLength || run.skb.metadata.gsoSize != 0 { code = 0 }
        slot.storeBytes(of: UInt32(bitPattern: mtu), as: UInt32.self)
        return code
    }

    /// Records the target and the next hop the datapath resolves the MACs from.
    static func redirectNeigh(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let length = Int32(truncatingIfNeeded: call.r3)
        guard (length == 0 || length >= 20) && call.r4 == 0 else { return SKBHelpers.actShot }
        var nextHop: [UInt8]?
        if length != 0 {
            guard let memory = call.memory(at: call.r2, count: 20, write: false, "redirect_neigh params") else { return 0 }
            let family = memory.loadUnaligned(as: UInt32.self)
            nextHop = family == 2 ? Array(memory[4..<8]) : family == 10 ? Array(memory[4..<20]) : []
        }
        run.redirect = RedirectTarget(ifindex: UInt32(truncatingIfNeeded: call.r1), direction: .neighbour(nextHop: nextHop))
        return SKBHelpers.actRedirect
    }
}
