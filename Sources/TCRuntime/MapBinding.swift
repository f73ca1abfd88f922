import BPFCore
import BPFVM

/// Resolves a program's `lddw` map references (the loader's map indices, `src` 5 and 6) to
/// the maps it was given.
public struct MapBinding: PseudoImmediateResolver, Sendable {
    public let maps: [any TCMap]

    public init(maps: [any TCMap]) { self.maps = maps }

    public func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
        switch immediate {
        case .mapIndex(let i):
            guard i >= 0, Int(i) < maps.count else { return nil }
            return ResolvedImmediate(value: MapRegistry.shared.handle(for: maps[Int(i)]))
        case let .mapIndexValue(i, offset):
            guard i >= 0, Int(i) < maps.count, let value = maps[Int(i)].directValue(),
                  UInt64(offset) < UInt64(value.count) else { return nil }
            let readOnly = maps[Int(i)].spec.flags & MapFlags.rdonlyProg != 0
            return ResolvedImmediate(value: UInt64(UInt(bitPattern: value.baseAddress)) + UInt64(offset),
                                     region: MemoryRegion(value, writable: !readOnly))
        default:
            return nil
        }
    }
}
