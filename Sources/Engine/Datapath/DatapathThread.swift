import BPFCore
import Glibc
import TCRuntime

/// What a thread sending frames keeps from one frame to the next, so a frame allocates
/// nothing: the skbs it sends frames on, the device table it last used (`PublishedDevices`) and
/// its shard of the counters (`CounterShards`).
/// Each thread has its own, freed with the thread; it is used by that thread alone, so its
/// fields are not checked for exclusive access.
final class DatapathThread {
    /// skbs free for the next frame (a frame's clones and a sink sending from its callback
    /// take more than one at a time).
    @exclusivity(unchecked) private var free: [SKBuff] = []
    @exclusivity(unchecked) var topology: Topology? {
        didSet { topologyReference = topology.map { Unmanaged.passUnretained($0) } }
    }
    /// `topology`, unretained: borrowed per frame (`PublishedDevices.withTopology`).
    @exclusivity(unchecked) private(set) var topologyReference: Unmanaged<Topology>?
    /// The generation `topology` was taken at (0: none; generations start at 1).
    @exclusivity(unchecked) var topologyGeneration: UInt64 = 0

    /// The copy of every device's and program's counters this thread adds to.
    let shard = CounterShard.take()

    deinit { CounterShard.give(shard) }

    /// skbs a thread keeps; more are freed when given back.
    private static let kept = 4

    private static let current = ThreadLocalObject("the datapath") { DatapathThread() }

    /// This thread's state, not retained (the thread's slot owns it).
    static func withCurrent<T>(_ body: (DatapathThread) -> T) -> T { current.with(body) }

    /// An skb holding `bytes` as a new one would.
    func skb(holding bytes: [UInt8]) -> SKBuff {
        guard let skb = free.popLast() else { return SKBuff(packet: bytes) }
        skb.reuse(packet: bytes)
        return skb
    }

    /// Takes `skb` back for a later frame, unless something still holds it.
    func give(_ skb: inout SKBuff) {
        guard free.count < Self.kept, isKnownUniquelyReferenced(&skb) else { return }
        free.append(skb)
    }
}
