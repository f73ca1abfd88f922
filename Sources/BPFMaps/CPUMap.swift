import BPFCore
import Synchronization

/// BPF_MAP_TYPE_CPUMAP: a queue per CPU that XDP's bpf_redirect_map hands frames to. Userspace
/// sets a slot's queue size (`struct bpf_cpumap_val`: qsize, then an optional XDP program);
/// no program may look it up. Updates follow the kernel's order, measured on 6.18: the flags,
/// the slot, BPF_NOEXIST, the queue size, then whether the CPU is possible.
public final class CPUMap: BPFMap, @unchecked Sendable {
    /// The kernel's largest queue (its ptr_ring holds at most this many frames).
    static let maxQueueSize: UInt32 = 16384

    /// Each CPU's queue size and the id of the XDP program it runs (0: none).
    private let queues = Mutex<[UInt32: (size: UInt32, program: UInt32)]>([:])

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    private func index(_ key: [UInt8]) -> UInt32 { key.withPointer { $0.loadUnaligned(as: UInt32.self) } }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let index = index(key)
        guard let slot = queues.withLock({ $0[index] }) else { throw MapError(.ENOENT, "CPU \(index) has no queue") }
        // The program's id follows the queue size in an 8-byte value: 0, none.
        return Array(ArrayMap.bytes(slot.size) + ArrayMap.bytes(slot.program)).prefix(valueSize).map { $0 }
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try updateElement(key, value, flags: flags, world: EmptyDescriptorWorld())
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64, world: any MapDescriptorWorld) throws(MapError) {
        guard flags <= MapUpdateFlags.exist else { throw MapError(.EINVAL, "update flags 0x\(String(flags, radix: 16))") }
        let index = index(key)
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
        guard flags != MapUpdateFlags.noExist else { throw MapError(.EEXIST, "BPF_NOEXIST: cpumap slots always exist") }
        let size = value.withPointer { $0.loadUnaligned(as: UInt32.self) }
        guard size <= Self.maxQueueSize else {
            throw MapError(.EOVERFLOW, "queue size \(size) exceeds \(Self.maxQueueSize)")
        }
        guard index < possibleCPUs else { throw MapError(.ENODEV, "CPU \(index) is not a possible CPU (\(possibleCPUs) are)") }
        guard size != 0 else {
            // A queue size of 0 takes the CPU out of the map.
            _ = queues.withLock { $0.removeValue(forKey: index) }
            return
        }
        let program = valueSize == 8 ? value.withPointer { $0.loadUnaligned(fromByteOffset: 4, as: Int32.self) } : 0
        var programID: UInt32 = 0
        if program > 0 {
            // The kernel answers any failure to set the slot up (a bad program too) with ENOMEM.
            guard let id = world.redirectProgram(descriptor: program, attachType: .xdpCpumap, map: self) else {
                throw MapError(.ENOMEM, "fd \(program) is no XDP program loaded for a cpumap (BPF_XDP_CPUMAP) that this map may run")
            }
            programID = id
        }
        queues.withLock { $0[index] = (size, programID) }
    }

    /// The program ids of slot `index` (nil: every slot), 0s left out (`SlotProgramMap`).
    func programIDs(only index: UInt32?) -> [UInt32] {
        queues.withLock { queues in
            let slots = index.map { queues[$0].map { [$0] } ?? [] } ?? Array(queues.values)
            return slots.map(\.program).filter { $0 != 0 }
        }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = index(key)
        guard index < maxEntries else { throw MapError(.EINVAL, "index \(index) is past max_entries \(maxEntries)") }
        _ = queues.withLock { $0.removeValue(forKey: index) }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries)
    }
}
