import BPFCore
import BPFMaps
import BPFVM

/// Resolves a program's `lddw` map references (the loader's map indices, `src` 5 and 6) to
/// the maps it was given.
public struct MapBinding: PseudoImmediateResolver, Sendable {
    public let maps: [BPFMap]

    public init(maps: [BPFMap]) { self.maps = maps }

    public func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
        switch immediate {
        case .mapIndex(let i):
            guard i >= 0, Int(i) < maps.count else { return nil }
            let map = maps[Int(i)]
            var shape = Self.shape(of: map.spec)
            shape.maxEntries = map.maxEntries
            var resolved = ResolvedImmediate(value: MapRegistry.shared.handle(for: map), shape: shape)
            resolved.directLookup = DirectLookups.lookup(in: map)
            return resolved
        case let .mapIndexValue(i, offset):
            // Global data: an address inside the value of a one-entry array.
            guard i >= 0, Int(i) < maps.count, let array = maps[Int(i)] as? ArrayMap,
                  let base = array.valueBaseAddress(index: 0), UInt64(offset) < UInt64(array.valueByteCount)
            else { return nil }
            let value = UnsafeMutableRawBufferPointer(start: base, count: array.valueByteCount)
            var resolved = ResolvedImmediate(value: UInt64(UInt(bitPattern: base)) + UInt64(offset),
                                             region: MemoryRegion(value, writable: array.programWritable),
                                             fixed: !array.programWritable && array.isFrozen)
            if array.spec.spinLockOffset != nil || !array.spec.graphRoots.isEmpty || !array.spec.kptrFields.isEmpty {
                // A section holding a lock and what it guards, or kptrs (GlobalDataFields).
                var shape = MapShape(type: array.type.rawValue, keySize: array.keySize, valueSize: array.valueSize,
                                     programWritable: array.programWritable, spinLockOffset: array.spec.spinLockOffset.map(Int.init))
                shape.graphRoots = array.spec.graphRoots
                shape.kptrFields = array.spec.kptrFields
                shape.name = array.spec.name
                resolved.shape = shape
            }
            return resolved
        default:
            return nil
        }
    }

    /// What the verifier is told of a map: sizes, access, its values' special fields, and for a
    /// map of maps its inner template's, which types lookups in the maps it holds.
    private static func shape(of spec: MapSpec) -> MapShape {
        var shape = MapShape(type: spec.type.rawValue, keySize: Int(spec.keySize), valueSize: Int(spec.valueSize),
                             programWritable: spec.flags & MapFlags.rdonlyProg == 0, maxEntries: spec.maxEntries,
                             innerTemplate: spec.flags & (1 << 12) != 0,
                             programReadable: spec.flags & (1 << 8) == 0,
                             spinLockOffset: spec.spinLockOffset.map(Int.init))
        shape.timerOffset = spec.timerOffset.map(Int.init)
        shape.workqueueOffset = spec.workqueueOffset.map(Int.init)
        shape.valueHasBTF = spec.btfValueTypeID != 0
        shape.kptrFields = spec.kptrFields
        shape.graphRoots = spec.graphRoots
        shape.name = spec.name
        shape.inner = spec.innerMap.map { Self.shape(of: $0) }
        return shape
    }
}
