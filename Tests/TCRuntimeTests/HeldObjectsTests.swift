@testable import BPFMaps
@testable import TCRuntime
import Testing

/// A run that ends still holding an allocated object (only a faulted run can: the verifier
/// makes every path drop or stash it) drops it, so the object does not outlive the run.
@Suite struct HeldObjectsTests {
    @Test func aRunDropsTheObjectsItStillHolds() throws {
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: SKBMetadata())
        let run = TCRun(skb: skb, services: SharedServices(TCServices()))
        let kept = try #require(ObjectHeap.shared.allocate(size: 16))
        let held = try #require(ObjectHeap.shared.allocate(size: 16))
        let keptAddress = UInt64(UInt(bitPattern: kept.baseAddress))
        let heldAddress = UInt64(UInt(bitPattern: held.baseAddress))
        run.heldObjects.append(heldAddress)
        run.finish()
        #expect(ObjectHeap.shared.object(at: heldAddress) == nil, "the run's reference was the last")
        #expect(ObjectHeap.shared.object(at: keptAddress) != nil, "an object the run does not hold stays")
        #expect(run.heldObjects.isEmpty)
        ObjectHeap.shared.free(keptAddress)
    }
}
