import Synchronization

/// BPF atomics on raw memory. Several threads may run one program over shared map values,
/// so these must be real atomic instructions, not plain loads and stores.
/// The address has been bounds-checked and is aligned to the access size.
enum AtomicMemory {
    /// Performs `code` on the 64-bit word at `address`; returns the old value.
    @inline(__always)
    static func rmw64(_ code: AtomicCode, at address: UnsafeMutableRawPointer, operand: UInt64, expected: UInt64) -> UInt64 {
        let cell = address.assumingMemoryBound(to: Atomic<UInt64>.self)
        switch code {
        case .add, .fetchAdd: return cell.pointee.wrappingAdd(operand, ordering: .sequentiallyConsistent).oldValue
        case .or, .fetchOr: return cell.pointee.bitwiseOr(operand, ordering: .sequentiallyConsistent).oldValue
        case .and, .fetchAnd: return cell.pointee.bitwiseAnd(operand, ordering: .sequentiallyConsistent).oldValue
        case .xor, .fetchXor: return cell.pointee.bitwiseXor(operand, ordering: .sequentiallyConsistent).oldValue
        case .xchg: return cell.pointee.exchange(operand, ordering: .sequentiallyConsistent)
        case .cmpxchg:
            return cell.pointee.compareExchange(expected: expected, desired: operand, ordering: .sequentiallyConsistent).original
        }
    }

    @inline(__always)
    static func rmw32(_ code: AtomicCode, at address: UnsafeMutableRawPointer, operand: UInt32, expected: UInt32) -> UInt32 {
        let cell = address.assumingMemoryBound(to: Atomic<UInt32>.self)
        switch code {
        case .add, .fetchAdd: return cell.pointee.wrappingAdd(operand, ordering: .sequentiallyConsistent).oldValue
        case .or, .fetchOr: return cell.pointee.bitwiseOr(operand, ordering: .sequentiallyConsistent).oldValue
        case .and, .fetchAnd: return cell.pointee.bitwiseAnd(operand, ordering: .sequentiallyConsistent).oldValue
        case .xor, .fetchXor: return cell.pointee.bitwiseXor(operand, ordering: .sequentiallyConsistent).oldValue
        case .xchg: return cell.pointee.exchange(operand, ordering: .sequentiallyConsistent)
        case .cmpxchg:
            return cell.pointee.compareExchange(expected: expected, desired: operand, ordering: .sequentiallyConsistent).original
        }
    }

    /// `load_acquire` of 1, 2, 4 or 8 bytes, zero-extended.
    @inline(__always)
    static func loadAcquire(_ size: UInt8, at address: UnsafeMutableRawPointer) -> UInt64 {
        switch size {
        case 1: UInt64(address.assumingMemoryBound(to: Atomic<UInt8>.self).pointee.load(ordering: .acquiring))
        case 2: UInt64(address.assumingMemoryBound(to: Atomic<UInt16>.self).pointee.load(ordering: .acquiring))
        case 4: UInt64(address.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.load(ordering: .acquiring))
        default: address.assumingMemoryBound(to: Atomic<UInt64>.self).pointee.load(ordering: .acquiring)
        }
    }

    /// `store_release` of the low 1, 2, 4 or 8 bytes of `value`.
    @inline(__always)
    static func storeRelease(_ size: UInt8, at address: UnsafeMutableRawPointer, value: UInt64) {
        switch size {
        case 1: address.assumingMemoryBound(to: Atomic<UInt8>.self).pointee.store(UInt8(truncatingIfNeeded: value), ordering: .releasing)
        case 2: address.assumingMemoryBound(to: Atomic<UInt16>.self).pointee.store(UInt16(truncatingIfNeeded: value), ordering: .releasing)
        case 4: address.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.store(UInt32(truncatingIfNeeded: value), ordering: .releasing)
        default: address.assumingMemoryBound(to: Atomic<UInt64>.self).pointee.store(value, ordering: .releasing)
        }
    }
}
