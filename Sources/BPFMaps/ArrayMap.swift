import BPFCore

/// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: every element exists from creation, zeroed,
/// in one block laid out index-major (per-CPU: index, then CPU), each copy rounded up to 8 bytes.
///
/// Lookups take no lock: an element's address never changes. Updates copy bytes in place, as the
/// kernel's do, so a program reading concurrently may see a value half-written.
public final class ArrayMap: BPFMap, @unchecked Sendable {
    public let isPerCPU: Bool
    /// Bytes between two values (the value size rounded up to 8).
    public let elementStride: Int
    private let copies: Int
    private let memory: PageMemory

    init(spec: MapSpec, possibleCPUs: Int) throws(MapError) {
        isPerCPU = spec.type == .percpuArray
        elementStride = roundUp8(Int(spec.valueSize))
        copies = isPerCPU ? possibleCPUs : 1
        let (total, overflow) = (elementStride * copies).multipliedReportingOverflow(by: Int(spec.maxEntries))
        guard !overflow, let memory = PageMemory(byteCount: total) else {
            throw MapError(.ENOMEM, "cannot allocate \(spec.maxEntries) elements of \(elementStride) bytes")
        }
        self.memory = memory
        super.init(validated: spec, possibleCPUs: possibleCPUs)
        if let initial = spec.initialValue {
            guard initial.count <= valueSize else {
                throw MapError(.EINVAL, "initial value is \(initial.count) bytes, the value size is \(valueSize)")
            }
            for cpu in 0..<copies {
                initial.withUnsafeBytes { valueAddress(0, cpu: cpu).copyMemory(from: $0.baseAddress!, byteCount: initial.count) }
            }
        }
    }

    public override var userValueSize: Int { isPerCPU ? elementStride * possibleCPUs : valueSize }

    /// The value of element `index` (for per-CPU arrays, CPU `cpu`'s copy), nil past max_entries.
    /// Global data sections are 1-entry arrays: a program's pointer into them is computed from this.
    public func valueBaseAddress(index: UInt32, cpu: Int = 0) -> UnsafeMutableRawPointer? {
        guard index < maxEntries, cpu >= 0, cpu < copies else { return nil }
        return valueAddress(Int(index), cpu: cpu)
    }

    /// Bytes a program may access from `valueBaseAddress`: the value size.
    public var valueByteCount: Int { valueSize }

    /// The whole block (all elements, all copies); for BPF_F_MMAPABLE it is what mmap would show.
    public var storage: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: memory.base, count: elementStride * copies * Int(maxEntries))
    }

    @inline(__always)
    deinit {
        // The map is freed: what its values' kptr fields and lists hold is dropped, as the kernel does.
        if !spec.kptrFields.isEmpty || !spec.graphRoots.isEmpty {
            for index in 0..<Int(maxEntries) { releaseFields(of: valueAddress(index, cpu: 0)) }
        }
    }

    private func valueAddress(_ index: Int, cpu: Int) -> UnsafeMutableRawPointer {
        memory.base + (index * copies + cpu) * elementStride
    }

    @inline(__always)
    private func index(_ key: UnsafeRawPointer) -> Int? {
        let i = key.loadUnaligned(as: UInt32.self)
        return i < maxEntries ? Int(i) : nil
    }

    // MARK: userspace

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        guard let i = key.withPointer(index) else { throw MapError(.ENOENT, "index out of range") }
        var out = [UInt8](repeating: 0, count: userValueSize)
        out.withUnsafeMutableBytes { buffer in
            if isPerCPU {
                buffer.baseAddress!.copyMemory(from: valueAddress(i, cpu: 0), byteCount: userValueSize)
            } else {
                buffer.baseAddress!.copyMemory(from: valueAddress(i, cpu: 0), byteCount: valueSize)
            }
        }
        return out
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        if let errno = key.withPointer({ k in value.withPointer { store(k, $0, flags: flags, cpu: nil) } }) {
            throw MapError(errno, Self.reason(errno, key))
        }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw MapError(.EINVAL, "array elements cannot be deleted")
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        try Self.nextIndexKey(after: key, maxEntries: maxEntries)
    }

    // MARK: program

    public override func lookupForProgram(key: UnsafeRawPointer, cpu: Int) -> UnsafeMutableRawPointer? {
        guard let i = index(key), cpu >= 0, cpu < possibleCPUs else { return nil }
        return valueAddress(i, cpu: isPerCPU ? cpu : 0)
    }

    public override func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        store(key, value, flags: flags, cpu: cpu)
    }

    public override func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? { .EINVAL }

    /// The kernel's order: bad flags, then the index, then NOEXIST (every element exists).
    /// `cpu` nil is userspace: all per-CPU copies, packed at the 8-byte stride.
    private func store(_ key: UnsafeRawPointer, _ value: UnsafeRawPointer, flags: UInt64, cpu: Int?) -> LinuxErrno? {
        guard flags & ~MapUpdateFlags.lock <= MapUpdateFlags.exist else { return .EINVAL }
        guard let i = index(key) else { return .E2BIG }
        if let cpu, cpu < 0 || cpu >= possibleCPUs { return .EINVAL }
        guard flags & ~MapUpdateFlags.lock != MapUpdateFlags.noExist else { return .EEXIST }
        guard flags & MapUpdateFlags.lock == 0 else { return .EINVAL }
        if let cpu {
            valueAddress(i, cpu: isPerCPU ? cpu : 0).copyMemory(from: value, byteCount: valueSize)
        } else {
            // Userspace writes per-CPU values whole, padding included (the kernel copies the
            // 8-byte-rounded size per CPU, and a later lookup returns those bytes).
            let count = isPerCPU ? elementStride : valueSize
            for c in 0..<copies {
                valueAddress(i, cpu: c).copyMemory(from: value + c * elementStride, byteCount: count)
            }
        }
        // As the kernel's array update ends: what lived beside the old value (a timer) goes.
        releaseFields(of: valueAddress(i, cpu: 0))
        return nil
    }

    /// Array order: index 0 for nil or an index out of range, ENOENT after the last.
    static func nextIndexKey(after key: [UInt8]?, maxEntries: UInt32) throws(MapError) -> [UInt8] {
        let current = key.map { $0.withPointer { $0.loadUnaligned(as: UInt32.self) } }
        guard let current, current < maxEntries else { return bytes(0) }
        guard current + 1 < maxEntries else { throw MapError(.ENOENT, "index \(current) is the last") }
        return bytes(current + 1)
    }

    static func bytes(_ index: UInt32) -> [UInt8] { withUnsafeBytes(of: index) { Array($0) } }

    static func reason(_ errno: LinuxErrno, _ key: [UInt8]) -> String {
        switch errno {
        case .E2BIG: "index is past max_entries"
        case .EEXIST: "BPF_NOEXIST: array elements always exist"
        default: "invalid update flags"
        }
    }
}
