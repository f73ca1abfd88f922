import BPFCore
import Synchronization

/// BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH: network devices by slot (an array) or by
/// any 32-bit key (a hash), for XDP's bpf_redirect_map; tc and XDP programs may look them up and
/// read the slot's `struct bpf_devmap_val` (ifindex, then the id of the slot's XDP program).
///
/// Updates follow the kernel's order (measured on 6.18): the flags, the slot, BPF_NOEXIST, then
/// the device and the program. A slot's value lives in memory of its own that programs read;
/// a slot emptied keeps its memory for the next one, so a pointer a program holds stays valid.
public final class DeviceMap: BPFMap, @unchecked Sendable {
    private struct Entry {
        let value: UnsafeMutableRawPointer
        /// When the entry was last written: a hash bucket lists its newest entry first.
        var written: UInt64
    }
    private struct Slots {
        var entries: [UInt32: Entry] = [:] {
            didSet { walk = nil }
        }
        var spare: [UnsafeMutableRawPointer] = []
        var writes: UInt64 = 0
        /// A hash's keys in the kernel's walk order and where each stands, kept until the next change.
        var walk: (keys: [UInt32], position: [UInt32: Int])?
    }

    private let slots = Mutex(Slots())
    private var isHash: Bool { type == .devmapHash }

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    deinit {
        slots.withLock { slots in
            for entry in slots.entries.values { entry.value.deallocate() }
            for memory in slots.spare { memory.deallocate() }
        }
    }

    /// The device of every slot that holds `ifindex` is gone: the kernel empties those slots
    /// when the device unregisters. Answers the ids of the programs those slots ran.
    @discardableResult
    public func removeDevice(ifindex: UInt32) -> [UInt32] {
        slots.withLock { slots in
            var programs: [UInt32] = []
            for (key, entry) in slots.entries where entry.value.load(as: UInt32.self) == ifindex {
                let program = entry.value.load(fromByteOffset: 4, as: UInt32.self)
                if program != 0 { programs.append(program) }
                slots.entries[key] = nil
                slots.spare.append(entry.value)
            }
            return programs
        }
    }

    /// The program ids of slot `index` (nil: every slot), 0s left out (`SlotProgramMap`).
    func programIDs(only index: UInt32?) -> [UInt32] {
        slots.withLock { slots in
            let entries = index.map { slots.entries[$0].map { [$0] } ?? [] } ?? Array(slots.entries.values)
            return entries.map { $0.value.load(fromByteOffset: 4, as: UInt32.self) }.filter { $0 != 0 }
        }
    }

    private func index(_ key: [UInt8]) -> UInt32 { key.withPointer { $0.loadUnaligned(as: UInt32.self) } }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let index = index(key)
        guard let value = slots.withLock({ $0.entries[index].map { Array(UnsafeRawBufferPointer(start: $0.value, count: valueSize)) } }) else {
            throw MapError(.ENOENT, "slot \(index) holds no device")
        }
        return value
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try updateElement(key, value, flags: flags, world: EmptyDescriptorWorld())
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64, world: any MapDescriptorWorld) throws(MapError) {
        guard flags <= MapUpdateFlags.exist else { throw MapError(.EINVAL, "update flags 0x\(String(flags, radix: 16))") }
        let index = index(key)
        let ifindex = value.withPointer { $0.loadUnaligned(as: UInt32.self) }
        // Without a program fd the kernel takes -1: no program.
        let program = valueSize == 8 ? value.withPointer { $0.loadUnaligned(fromByteOffset: 4, as: Int32.self) } : -1
        if isHash {
            let exists = slots.withLock { $0.entries[index] != nil }
            if exists, flags == MapUpdateFlags.noExist { throw MapError(.EEXIST, "key \(index) is in the map (BPF_NOEXIST)") }
            let programID = try checkTarget(ifindex: ifindex, program: program, world: world)
            try slots.withLock { slots throws(MapError) in
                if slots.entries[index] == nil, slots.entries.count >= Int(maxEntries) {
                    throw MapError(.E2BIG, "the map holds max_entries (\(maxEntries)) devices")
                }
                store(ifindex, programID, at: index, in: &slots)
            }
            return
        }
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        // An array slot always exists for the kernel, empty or not.
        guard flags != MapUpdateFlags.noExist else { throw MapError(.EEXIST, "BPF_NOEXIST: devmap slots always exist") }
        if ifindex == 0 {
            guard program <= 0 else { throw MapError(.EINVAL, "a program (fd \(program)) for no device (ifindex 0)") }
            slots.withLock { slots in
                if let entry = slots.entries.removeValue(forKey: index) { slots.spare.append(entry.value) }
            }
            return
        }
        let programID = try checkTarget(ifindex: ifindex, program: program, world: world)
        slots.withLock { store(ifindex, programID, at: index, in: &$0) }
    }

    /// The kernel takes a reference to the device, then to the program when the fd is positive:
    /// the program's id (0 for none). Every failure with the program is EINVAL.
    private func checkTarget(ifindex: UInt32, program: Int32, world: any MapDescriptorWorld) throws(MapError) -> UInt32 {
        guard ifindex != 0, world.hasDevice(ifindex: ifindex) else {
            throw MapError(.EINVAL, "ifindex \(ifindex) is no device of this network namespace")
        }
        guard program > 0 else { return 0 }
        guard let id = world.redirectProgram(descriptor: program, attachType: .xdpDevmap, map: self) else {
            throw MapError(.EINVAL, "fd \(program) is no XDP program loaded for a devmap (BPF_XDP_DEVMAP) that this map may run")
        }
        return id
    }

    private func store(_ ifindex: UInt32, _ programID: UInt32, at index: UInt32, in slots: inout Slots) {
        slots.writes += 1
        let memory = slots.entries[index]?.value ?? slots.spare.popLast()
            ?? UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        memory.storeBytes(of: ifindex, as: UInt32.self)
        memory.storeBytes(of: programID, toByteOffset: 4, as: UInt32.self)  // 0: no program
        slots.entries[index] = Entry(value: memory, written: slots.writes)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        if !isHash, index >= maxEntries { throw MapError(.EINVAL, "index \(index) is past max_entries \(maxEntries)") }
        let removed = slots.withLock { slots in
            let entry = slots.entries.removeValue(forKey: index)
            if let entry { slots.spare.append(entry.value) }
            return entry != nil
        }
        // Emptying an empty array slot succeeds; a hash has no such key.
        if isHash, !removed { throw MapError(.ENOENT, "key \(index) is not in the map") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        guard isHash else { return try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries) }
        // The kernel walks its buckets (key & (buckets - 1), buckets a power of two at least
        // max_entries) in order, each newest first; a key not in the map starts the walk over.
        let buckets = UInt64(1) << UInt64(64 - (UInt64(maxEntries) - 1).leadingZeroBitCount)
        let walk = slots.withLock { slots in
            if let walk = slots.walk { return walk }
            let keys = slots.entries.sorted { a, b in
                let bucketA = UInt64(a.key) & (buckets - 1), bucketB = UInt64(b.key) & (buckets - 1)
                return bucketA != bucketB ? bucketA < bucketB : a.value.written > b.value.written
            }.map(\.key)
            let walk = (keys: keys, position: Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
            slots.walk = walk
            return walk
        }
        let ordered = walk.keys
        let start = key.flatMap { walk.position[index($0)].map { $0 + 1 } } ?? 0
        guard start < ordered.count else { throw MapError(.ENOENT, "no key after the last") }
        return ArrayMap.bytes(ordered[start])
    }

    // MARK: program

    public override func lookupForProgram(key: UnsafeRawPointer, cpu: Int) -> UnsafeMutableRawPointer? {
        let index = key.loadUnaligned(as: UInt32.self)
        return slots.withLock { $0.entries[index]?.value }
    }
}
