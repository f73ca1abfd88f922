import BPFCore

/// The bpf(2) face of hash maps: copies in and out, and the kernel's key walk.
extension HashMap {
    func userLookup(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let hash = key.withPointer { hashKey($0, keySize) }
        let size = userValueSize
        // Userspace lookups do not count as use for LRU, as in the kernel.
        let value = lock.read { () -> [UInt8]? in
            guard let found = key.withPointer({ find($0, hash) }) else { return nil }
            return [UInt8](UnsafeRawBufferPointer(start: valueArea(found.slot), count: size))
        }
        guard let value else { throw MapError(.ENOENT, "no such key") }
        return value
    }

    func userUpdate(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        if let errno = key.withPointer({ k in value.withPointer { store(k, $0, flags: flags, cpu: nil) } }) {
            throw MapError(errno, Self.reason(errno))
        }
    }

    func userDelete(_ key: [UInt8]) throws(MapError) {
        if key.withPointer(remove) != nil { throw MapError(.ENOENT, "no such key") }
    }

    /// Bucket order, then chain order. A key not in the map restarts from the first key.
    func userNextKey(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        let next = lock.read { () -> [UInt8]? in
            var bucket = 0
            if let key, let found = key.withPointer({ find($0, hashKey($0, keySize)) }) {
                let following = self.next(found.slot)
                if following >= 0 { return keyBytes(following) }
                bucket = (Int(storedHash(found.slot)) & bucketMask) + 1
            }
            while bucket <= bucketMask {
                if buckets[bucket] >= 0 { return keyBytes(buckets[bucket]) }
                bucket += 1
            }
            return nil
        }
        guard let next else { throw MapError(.ENOENT, "no more keys") }
        return next
    }

    private func keyBytes(_ slot: Int32) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: keyAddress(slot), count: keySize))
    }

    static func reason(_ errno: LinuxErrno) -> String {
        switch errno {
        case .EEXIST: "BPF_NOEXIST: the key exists"
        case .ENOENT: "BPF_EXIST: no such key"
        case .E2BIG: "the map is full"
        case .ENOMEM: "no memory for a new element"
        default: "invalid update flags"
        }
    }
}
