/// The kind of each register of a state packed in one word, so that pruning rejects most kept
/// states with a few bit operations before a full `PathState.covers`: a live register covers
/// another only when it is uninitialised or unknown (which cover anything) or of the same kind
/// (`AbstractValue.covers`), so a live register whose kinds differ rules the cover out.
struct RegisterKinds: Equatable {
    /// 4 bits per register, r0 in the lowest.
    let tags: UInt64
    /// The 4 bits of every register that covers any other (uninitialised, unknown).
    let anything: UInt64
    /// Set when the state does not have the usual 11 registers: then nothing is ruled out.
    let unusual: Bool

    static let registerCount = 11

    init(_ registers: [AbstractValue]) {
        guard registers.count == Self.registerCount else {
            (tags, anything, unusual) = (0, 0, true)
            return
        }
        var tags: UInt64 = 0, anything: UInt64 = 0
        for (r, value) in registers.enumerated() {
            let tag = Self.tag(value.kind)
            tags |= UInt64(tag) << UInt64(4 * r)
            if tag <= 1 { anything |= 0xF << UInt64(4 * r) }
        }
        (self.tags, self.anything, self.unusual) = (tags, anything, false)
    }

    /// Whether a state with these kinds may cover one with `other`'s, counting the `live`
    /// registers only. False only when `PathState.covers` is sure to be false too.
    func mayCover(_ other: RegisterKinds, live: UInt16) -> Bool {
        if unusual || other.unusual { return true }
        return (tags ^ other.tags) & Self.nibbles(live) & ~anything == 0
    }

    /// The 4 bits of each register set in `live`.
    static func nibbles(_ live: UInt16) -> UInt64 {
        var mask: UInt64 = 0
        var remaining = live & 0x7FF
        while remaining != 0 {
            let r = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            mask |= 0xF << UInt64(4 * r)
        }
        return mask
    }

    /// A number for each case of the kind (payloads aside: those `covers` still compares).
    /// 0 and 1 are the kinds that cover anything.
    private static func tag(_ kind: AbstractValue.Kind) -> UInt8 {
        switch kind {
        case .notInit: return 0
        case .unknown: return 1
        case .scalar: return 2
        case .context: return 3
        case .stack: return 4
        case .packet: return 5
        case .packetEnd: return 6
        case .packetMeta: return 7
        case .mapValue: return 8
        case .map: return 9
        case .innerMap: return 10
        case .socket: return 11
        case .memory: return 12
        case .function: return 13
        case .btf: return 14
        // Sixteen tags in four bits: the rarest kinds share the last one (`covers` tells them apart).
        case .perCPU, .mapKey, .constDynptr: return 15
        }
    }
}
