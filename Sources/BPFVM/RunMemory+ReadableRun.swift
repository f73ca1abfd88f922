/// How far a program may read from an address on: what a helper reading "until it stops" (a
/// string) needs, without trying every length through `allows`.
extension RunMemory {
    /// The bytes from `address` on that the program may read, at most `limit`: the rest of the
    /// stack, context, packet or region holding `address`, or of a block the run's provider
    /// allows (found by doubling steps, then halving the one that failed). 0 when none holds it.
    public func readableRun(from address: UInt64, limit: Int) -> Int {
        let most = UInt64(max(limit, 0))
        let s = address &- stackLow
        if s < stackCount { return Int(min(stackCount - s, most)) }
        let c = address &- contextLow
        if c < fastContextCount { return Int(min(fastContextCount - c, most)) }
        let p = address &- packetLow
        if p < packetCount { return Int(min(packetCount - p, most)) }
        for region in regions where address &- region.base < UInt64(region.count) {
            return Int(min(UInt64(region.count) - (address &- region.base), most))
        }
        guard let extra, limit > 0, extra.allows(address, size: 1, write: false) else { return 0 }
        var known = 1
        while known < limit {
            let step = min(max(known * 2, 64), limit)
            if extra.allows(address, size: UInt64(step), write: false) {
                known = step
                continue
            }
            var (low, high) = (known, step)
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if extra.allows(address, size: UInt64(middle), write: false) { low = middle } else { high = middle }
            }
            return low
        }
        return known
    }
}
