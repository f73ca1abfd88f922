import BPFMaps
import BPFVM

/// What one test-run left that the program decided (`EngineDifferential`): how it ended (r0
/// and the skb, or the fault), every map's contents and the trace lines. Addresses are no
/// outcome: a fault's address is left out, as two runs' packets and maps lie at different places.
public struct EngineOutcome: Equatable, Sendable, CustomStringConvertible {
    public enum FaultKind: Equatable, Sendable {
        case outOfBounds(size: Int, write: Bool)
        case misaligned(size: Int)
        case instructionLimit, callDepth
        case unknownHelper(Int64)
        case helper(String)

        init(_ kind: VMFault.Kind) {
            switch kind {
            case let .outOfBounds(_, size, write): self = .outOfBounds(size: size, write: write)
            case let .misaligned(_, size): self = .misaligned(size: size)
            case .instructionLimit: self = .instructionLimit
            case .callDepth: self = .callDepth
            case let .unknownHelper(id): self = .unknownHelper(id)
            case let .helper(reason): self = .helper(reason)
            }
        }
    }

    public enum Ended: Equatable, Sendable {
        case ran(returnValue: UInt32, packet: [UInt8], metadata: SKBMetadata, redirect: RedirectTarget?)
        case fault(instruction: Int, FaultKind)
        case refused(String)
    }

    /// A map's contents as userspace reads them after the run.
    public enum MapContents: Equatable, Sendable {
        /// Entries in key order (a hash map's walk order is its own).
        case entries([MapEntry])
        /// The records left in the ring and where its producer stopped.
        case ring(records: [[UInt8]], producer: UInt64)
        /// A queue's or stack's values, in the order they pop.
        case values([[UInt8]])
        case unreadable(String)

        /// Reads (and empties, for a ring or queue) `map`.
        init(_ map: BPFMap) {
            if let ring = map as? RingBufferMap {
                let records = ring.drain()
                self = .ring(records: records, producer: ring.producerPosition)
                return
            }
            if let queue = map as? QueueStackMap {
                var values: [[UInt8]] = []
                while let value = queue.take(remove: true) { values.append(value) }
                self = .values(values)
                return
            }
            do {
                self = .entries(try map.dump().sorted { $0.key.lexicographicallyPrecedes($1.key) })
            } catch {
                self = .unreadable("\(error)")
            }
        }
    }

    public var ended: Ended
    public var maps: [MapContents]
    public var log: [String]

    public var description: String { "\(ended)\n  maps: \(maps)\n  log: \(log)" }
}
