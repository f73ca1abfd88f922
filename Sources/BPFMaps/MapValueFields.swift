import Synchronization

/// What a runtime keeps beside a map's values, as the kernel keeps a `bpf_timer`'s timer beside
/// the value's bytes. The map says when a value is overwritten or freed (the kernel's
/// `bpf_obj_free_fields`); the runtime says when no userspace reference to the map is left.
/// Made by the runtime on first use and dropped with the map.
public protocol MapValueFields: AnyObject, Sendable {
    /// The value at `value` was overwritten, deleted or evicted: what lives beside it goes.
    func release(value: UnsafeMutableRawPointer)
    /// Everything beside every value goes: the map lost its last userspace reference.
    func releaseAll()
    /// The map has a userspace reference again (one was opened by id).
    func userReferenceReturned()
}

extension BPFMap {
    /// The map's value fields, made by `make` the first time.
    public func valueFields<T: MapValueFields>(orMake make: () -> T) -> T? {
        fieldsBox.withLock { box in
            if let existing = box { return existing as? T }
            let made = make()
            box = made
            return made
        }
    }

    /// The map's value fields, nil while nothing made them.
    public var existingValueFields: (any MapValueFields)? { fieldsBox.withLock { $0 } }

    /// Tells the value fields that `value` was overwritten or freed, and drops the objects its
    /// kptr fields hold. Only maps whose values hold a timer, a workqueue or a kptr pay for it.
    @inline(__always)
    func releaseFields(of value: UnsafeMutableRawPointer) {
        if !spec.kptrFields.isEmpty { ObjectHeap.shared.dropStashed(in: value, fields: spec.kptrFields) }
        if !spec.graphRoots.isEmpty { ObjectHeap.shared.dropLists(in: value, roots: spec.graphRoots) }
        guard spec.timerOffset != nil || spec.workqueueOffset != nil else { return }
        existingValueFields?.release(value: value)
    }
}

extension ArrayMap {
    /// The index of the (non-per-CPU) value starting at `value`, nil when it is none of this
    /// map's values.
    public func valueIndex(of value: UnsafeRawPointer) -> UInt32? {
        guard !isPerCPU, let base = UnsafeRawPointer(storage.baseAddress) else { return nil }
        let offset = value - base
        guard offset >= 0, offset % elementStride == 0, offset / elementStride < Int(maxEntries) else { return nil }
        return UInt32(offset / elementStride)
    }
}

extension HashMap {
    /// The key of the live (non-per-CPU) element whose value starts at `value` (the kernel's
    /// layout: the key sits just before the value, 8-byte aligned), nil when it is none of
    /// this map's values.
    public func key(ofValue value: UnsafeRawPointer) -> [UInt8]? {
        guard !isPerCPU else { return nil }
        return lock.read { () -> [UInt8]? in
            guard let slot = pool.slot(at: value - valueOffset), Int(slot) < live.count, live[Int(slot)] else { return nil }
            return [UInt8](UnsafeRawBufferPointer(start: keyAddress(slot), count: keySize))
        }
    }

    /// Where the key of the element whose value starts at `value` is; `value` must be one
    /// of this map's values (see `key(ofValue:)`).
    public func keyAddress(ofValue value: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        value - keyStride
    }
}
