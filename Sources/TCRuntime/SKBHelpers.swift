import BPFCore
import BPFVM

/// Helpers about the skb itself: redirect, the flow hash.
enum SKBHelpers {
    static let actShot: UInt64 = 2
    static let actRedirect: UInt64 = 7

    static func register(_ table: inout HelperTable) {
        table.register(23, name: "redirect", redirect)
        table.register(155, name: "redirect_peer", redirectPeer)
        table.register(13, name: "clone_redirect", cloneRedirect)
        table.register(34, name: "get_hash_recalc", getHashRecalc)
        table.register(41, name: "set_hash_invalid", setHashInvalid)
        table.register(48, name: "set_hash", setHash)
    }

    /// Records the target; the verdict TC_ACT_REDIRECT tells the datapath to use it.
    static func redirect(_ call: inout HelperCall) -> UInt64 {
        guard call.r2 & ~TCFlags.ingress == 0 else { return actShot }
        let run = TCRun.from(call)
        run.redirect = RedirectTarget(ifindex: UInt32(truncatingIfNeeded: call.r1),
                                      direction: call.r2 & TCFlags.ingress != 0 ? .ingress : .egress)
        return actRedirect
    }

    /// Sends a copy of the packet to the device and lets the program go on with the original:
    /// EINVAL for flags other than BPF_F_INGRESS or a device that does not exist, 0 when the
    /// copy went out. The datapath sends the copies when the hook's programs are done (`SKBuff.takeClones`).
    static func cloneRedirect(_ call: inout HelperCall) -> UInt64 {
        guard call.r3 & ~TCFlags.ingress == 0 else { return failed(.EINVAL) }
        let run = TCRun.from(call)
        let ifindex = UInt32(truncatingIfNeeded: call.r2)
        guard run.services.deviceExists(ifindex) else { return failed(.EINVAL) }
        run.absorbWrites()
        let target = RedirectTarget(ifindex: ifindex, direction: call.r3 & TCFlags.ingress != 0 ? .ingress : .egress)
        run.skb.pendingClones.append(ClonedPacket(target: target, packet: run.skb.packet, metadata: run.skb.metadata))
        return 0
    }

    static func redirectPeer(_ call: inout HelperCall) -> UInt64 {
        guard call.r2 == 0 else { return actShot }
        let run = TCRun.from(call)
        run.redirect = RedirectTarget(ifindex: UInt32(truncatingIfNeeded: call.r1), direction: .peer)
        return actRedirect
    }

    static func setHash(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            skb.metadata.hash = UInt32(truncatingIfNeeded: call.r2)
            skb.metadata.softwareHash = true
            skb.metadata.l4Hash = true
            run.render()
            return 0
        }
    }

    static func setHashInvalid(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            skb.clearHash()
            run.render()
            return 0
        }
    }

    /// The stored hash, or a fresh flow hash when none is set. The kernel keys its flow hash
    /// with a random per-boot secret, so only "same flow, same hash" can match it.
    static func getHashRecalc(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            if !skb.metadata.l4Hash && !skb.metadata.softwareHash {
                let (hash, hasPorts) = FlowHash.compute(skb, seed: run.withServices { $0.hashSeed })
                skb.metadata.hash = hash
                skb.metadata.l4Hash = hasPorts
                run.render()
            }
            return UInt64(skb.metadata.hash)
        }
    }
}
