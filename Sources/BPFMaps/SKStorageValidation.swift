import BPFCore

/// BPF_MAP_CREATE's rules for local storage (SK, TASK, CGRP and INODE_STORAGE), as measured on Linux 6.18.
extension MapSpec {
    /// BPF_F_CLONE: the storage follows a socket into its clones.
    static let cloneFlag: UInt32 = 0x200
    /// The largest value a socket-local storage takes (`U16_MAX` less the element header on 6.18).
    static let skStorageMaxValue: UInt32 = 65407

    /// Throws the kernel's errno for a bad spec.
    func validateSKStorage() throws(MapError) {
        let allowed = MapFlags.noPrealloc | Self.cloneFlag
        guard flags & ~allowed == 0 else {
            throw MapError(.EINVAL, "flags 0x\(String(flags & ~allowed, radix: 16)) are not valid for \(type)")
        }
        // Storage lives in the socket and is allocated on demand: the map is never preallocated.
        guard flags & MapFlags.noPrealloc != 0 else { throw MapError(.EINVAL, "\(type) needs BPF_F_NO_PREALLOC") }
        guard maxEntries == 0 else { throw MapError(.EINVAL, "\(type) takes max_entries 0, not \(maxEntries)") }
        guard keySize == 4 else { throw MapError(.EINVAL, "\(type) key size must be 4 (a descriptor), not \(keySize)") }
        guard valueSize != 0 else { throw MapError(.EINVAL, "value size is 0") }
        guard btfKeyTypeID != 0, btfValueTypeID != 0 else {
            throw MapError(.EINVAL, "\(type) needs BTF for its key and value")
        }
        guard valueSize <= Self.skStorageMaxValue else {
            throw MapError(.E2BIG, "\(type) value size \(valueSize) exceeds \(Self.skStorageMaxValue)")
        }
    }
}
