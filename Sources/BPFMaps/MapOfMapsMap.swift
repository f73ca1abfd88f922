import BPFCore
import Synchronization

/// A map held by a map of maps: the id userspace lookups return, the map a program's lookup
/// yields, and the engine's object for it, which the outer map keeps alive as the kernel's
/// reference does.
public struct InnerMapReference: Sendable {
    public let id: UInt32
    public let map: BPFMap
    public let owner: any AnyObject & Sendable

    public init(id: UInt32, map: BPFMap, owner: any AnyObject & Sendable) {
        self.id = id
        self.map = map
        self.owner = owner
    }
}

/// BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS. Slots hold the inner map's id
/// (0: empty) in an id array or a hash map with 4-byte values, so keys, iteration order and
/// the hash's full/exists errors are the plain maps'; the maps themselves are held by id.
///
/// Programs may only look up (the kernel's verifier allows no update or delete from them);
/// userspace stores a map by fd, which the engine resolves before calling `store`.
public final class MapOfMapsMap: BPFMap, @unchecked Sendable {
    public let template: MapSpec
    private enum Slots {
        case array
        case hash(HashMap)
    }
    private let slots: Slots
    /// Guarded by `lock`: the array's ids, and every held map with the number of slots holding it.
    private struct State {
        var arrayIDs: [UInt32]
        var held: [UInt32: (reference: InnerMapReference, slots: Int)] = [:]
    }
    private let lock: Mutex<State>

    init(spec: MapSpec, possibleCPUs: Int) throws(MapError) {
        guard let template = spec.innerMap else { throw MapError(.EINVAL, "a map of maps needs an inner map template") }
        self.template = template
        if spec.type == .hashOfMaps {
            var shape = spec
            shape.type = .hash
            shape.innerMap = nil
            slots = .hash(HashMap(spec: shape, possibleCPUs: possibleCPUs))
            lock = Mutex(State(arrayIDs: []))
        } else {
            slots = .array
            lock = Mutex(State(arrayIDs: [UInt32](repeating: 0, count: Int(spec.maxEntries))))
        }
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    // MARK: userspace

    /// BPF_MAP_UPDATE_ELEM with a resolved map: the kernel's checks in its order, then the
    /// slot holds `inner`. The caller counts a reference to `inner` for the slot, and lets go of
    /// the one returned: the map the slot held before.
    public func store(_ inner: InnerMapReference, key: [UInt8], flags: UInt64) throws(MapError) -> InnerMapReference? {
        try checkUpdate(key: key, flags: flags)
        try MapInMapRules.checkCompatible(template: template, inner: inner.map.spec)
        return try lock.withLock { state throws(MapError) -> InnerMapReference? in
            let previous: UInt32
            switch slots {
            case .array:
                let index = Int(Self.index(key))
                previous = state.arrayIDs[index]
                state.arrayIDs[index] = inner.id
            case .hash(let hash):
                previous = (try? hash.lookup(key: key)).map(Self.id) ?? 0
                try hash.update(key: key, value: Self.bytes(inner.id), flags: flags)
            }
            state.held[inner.id, default: (inner, 0)].slots += 1
            return previous == 0 ? nil : Self.letGo(previous, in: &state)
        }
    }

    /// What the kernel checks of an update before it resolves the value's fd: the key, that
    /// userspace may write, and for the array only BPF_ANY and an index in range. (The hash
    /// resolves the fd first and checks its flags after.)
    public func checkUpdate(key: [UInt8], flags: UInt64) throws(MapError) {
        guard key.count == keySize else { throw MapError(.EINVAL, "key is \(key.count) bytes, the map takes \(keySize)") }
        guard spec.flags & MapFlags.rdonly == 0, !isFrozen else { throw MapError(.EPERM, "map is read-only for userspace") }
        if case .array = slots {
            try MapInMapRules.checkArrayUpdate(index: Self.index(key), maxEntries: maxEntries, flags: flags)
        }
    }

    /// BPF_MAP_DELETE_ELEM: empties the slot and returns the map it held (ENOENT when empty;
    /// E2BIG past an array's end).
    public func remove(key: [UInt8]) throws(MapError) -> InnerMapReference? {
        guard key.count == keySize else { throw MapError(.EINVAL, "key is \(key.count) bytes, the map takes \(keySize)") }
        guard spec.flags & MapFlags.rdonly == 0, !isFrozen else { throw MapError(.EPERM, "map is read-only for userspace") }
        return try lock.withLock { state throws(MapError) -> InnerMapReference? in
            let previous: UInt32
            switch slots {
            case .array:
                let index = Self.index(key)
                guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
                previous = state.arrayIDs[Int(index)]
                guard previous != 0 else { throw MapError(.ENOENT, "slot \(index) holds no map") }
                state.arrayIDs[Int(index)] = 0
            case .hash(let hash):
                previous = Self.id(try hash.lookup(key: key))
                try hash.delete(key: key)
            }
            return Self.letGo(previous, in: &state)
        }
    }

    /// Every slot emptied, as when the outer map is freed: one reference per slot that held one.
    public func removeAll() -> [InnerMapReference] {
        lock.withLock { state in
            let held = state.held.values.flatMap { [InnerMapReference](repeating: $0.reference, count: $0.slots) }
            state.held = [:]
            state.arrayIDs = state.arrayIDs.map { _ in 0 }
            return held
        }
    }

    public override var userValueSize: Int { 4 }

    /// The inner map's id; ENOENT for an empty slot.
    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let id = try lock.withLock { state throws(MapError) -> UInt32 in
            switch slots {
            case .array:
                let index = Self.index(key)
                guard index < maxEntries, state.arrayIDs[Int(index)] != 0 else { throw MapError(.ENOENT, "slot \(index) holds no map") }
                return state.arrayIDs[Int(index)]
            case .hash(let hash):
                return Self.id(try hash.lookup(key: key))
            }
        }
        return Self.bytes(id)
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        throw MapError(.EBADF, "a map of maps stores maps by descriptor; this engine resolves none here")
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        _ = try remove(key: key)
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        switch slots {
        case .array: try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries)
        case .hash(let hash): try hash.nextKey(after: key)
        }
    }

    // MARK: programs

    /// bpf_map_lookup_elem on the outer map: the inner map, nil for an empty slot.
    public func innerMap(key: UnsafeRawPointer, cpu: Int) -> BPFMap? {
        lock.withLock { state in
            let id: UInt32
            switch slots {
            case .array:
                let index = key.loadUnaligned(as: UInt32.self)
                guard index < maxEntries else { return nil }
                id = state.arrayIDs[Int(index)]
            case .hash(let hash):
                guard let value = hash.lookupForProgram(key: key, cpu: cpu) else { return nil }
                id = value.loadUnaligned(as: UInt32.self)
            }
            return state.held[id]?.reference.map
        }
    }

    // MARK: helpers

    /// One slot no longer holds map `id`: the reference that slot held, for the caller to drop
    /// (each slot holds one, as in the kernel).
    private static func letGo(_ id: UInt32, in state: inout State) -> InnerMapReference? {
        guard let entry = state.held[id] else { return nil }
        state.held[id] = entry.slots > 1 ? (entry.reference, entry.slots - 1) : nil
        return entry.reference
    }

    private static func index(_ key: [UInt8]) -> UInt32 { key.withPointer { $0.loadUnaligned(as: UInt32.self) } }
    private static func id(_ value: [UInt8]) -> UInt32 { value.withPointer { $0.loadUnaligned(as: UInt32.self) } }
    private static func bytes(_ id: UInt32) -> [UInt8] { withUnsafeBytes(of: id) { Array($0) } }
}
