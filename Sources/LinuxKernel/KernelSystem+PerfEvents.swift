import BPFCore
import Synchronization
import TCX

/// Perf event readers on the kernel: what libbpf's perf_buffer__new does, one BPF output event
/// per CPU with its ring mmap'd, each descriptor stored in the map's slot for its CPU.
extension KernelSystem: PerfEventReading {
    public func openPerfEventRings(map: Handle, pagesPerCPU: Int) throws(TCXError) -> any PerfEventRings {
        try PerfEventRingSize.check(pagesPerCPU)
        let info = try mapInfo(map)
        guard info.type == .perfEventArray else { throw TCXError(.EINVAL, "map \(info.name) is not a perf event array") }
        // A map file of the reader's own (not a dup, which shares the caller's file): the kernel
        // empties the slots filled through a map file when that file is released, so closing it
        // takes out this reader's events and no other's, as the engine's reader does.
        let own = try world.run { state throws(TCXError) in state.adopt(try ObjectInfo.open(.mapGetFDByID, id: info.id)) }
        var readers: [PerfEventRingReader] = []
        do throws(TCXError) {
            for cpu in 0..<min(possibleCPUCount, Int(info.maxEntries)) {
                let reader: PerfEventRingReader
                do throws(TCXError) {
                    reader = try PerfEventRingReader(cpu: cpu, pages: pagesPerCPU)
                } catch where error.errno == .ENODEV {
                    continue // an offline CPU has no events; libbpf skips it too
                }
                readers.append(reader)
                try update(map: own, key: KernelPerfEventRings.key(cpu), value: KernelPerfEventRings.key(Int(reader.descriptor)), flags: 0)
            }
        } catch {
            KernelPerfEventRings(system: self, map: own, readers: readers).close()
            throw error
        }
        return KernelPerfEventRings(system: self, map: own, readers: readers)
    }
}

/// The rings of one kernel reader. It holds a map file of its own, through which it filled the
/// slots: closing that file empties them (unless the map is BPF_F_PRESERVE_ELEMS).
final class KernelPerfEventRings: PerfEventRings {
    private let system: KernelSystem
    private let map: Handle
    private let readers: [PerfEventRingReader]
    private let closed = Mutex(false)

    init(system: KernelSystem, map: Handle, readers: [PerfEventRingReader]) {
        self.system = system
        self.map = map
        self.readers = readers
    }

    static func key(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: value)) { [UInt8]($0) }
    }

    var cpus: [Int] { readers.map(\.cpu) }

    func read() -> [PerfEventRecord] {
        readers.flatMap { $0.read() }
    }

    func close() {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        try? system.close(map)
        for reader in readers { reader.close() }
    }
}
