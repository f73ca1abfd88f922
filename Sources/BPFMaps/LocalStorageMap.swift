import BPFCore
import Synchronization

/// Local storage (BPF_MAP_TYPE_SK_STORAGE, TASK_STORAGE): a value per owner (a socket, a
/// task), made on demand by the storage helpers' get with the CREATE flag and dropped by their
/// delete or with the owner. Owners are named by an identity the runtime gives them.
///
/// A value's memory stays put while the map lives, even after a delete: a program may still
/// hold the pointer for the rest of its run, which the kernel's RCU keeps valid too. So a
/// deleted value is only retired, and freed with the map; the value of an owner that is gone
/// and that no run can name is freed at once (`release`).
public class LocalStorageMap: BPFMap, @unchecked Sendable {
    /// Value addresses (as integers, so the state is Sendable) by owner, and retired ones.
    private struct State {
        var live: [UInt64: UInt] = [:]
        var retired: [UInt] = []
    }
    private let state = Mutex(State())

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    deinit {
        state.withLock { state in
            for address in Array(state.live.values) + state.retired {
                UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
            }
        }
    }

    /// The value of `owner`, nil when it has none.
    public func storage(ofOwner owner: UInt64) -> UnsafeMutableRawPointer? {
        state.withLock { $0.live[owner] }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// The value of `owner`, made from `initial` (valueSize bytes) or zeroed when it has none.
    public func create(for owner: UInt64, initial: UnsafeRawPointer?) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: max(valueSize, 1), alignment: 8)
        if let initial {
            block.copyMemory(from: initial, byteCount: valueSize)
        } else {
            block.initializeMemory(as: UInt8.self, repeating: 0, count: valueSize)
        }
        let mine = UInt(bitPattern: block)
        let kept = state.withLock { state -> UInt in
            if let existing = state.live[owner] { return existing }
            state.live[owner] = mine
            return mine
        }
        // Another run made it first: use that one.
        if kept != mine, let existing = UnsafeMutableRawPointer(bitPattern: kept) {
            block.deallocate()
            return existing
        }
        return block
    }

    /// Drops the value of `owner`; false when it had none.
    @discardableResult
    public func remove(owner: UInt64) -> Bool {
        state.withLock { state in
            guard let address = state.live.removeValue(forKey: owner) else { return false }
            state.retired.append(address)
            return true
        }
    }

    /// Frees the value of an owner that is gone and that no run can name any more (a test-run
    /// skb's own socket once the skb is freed, a task that exited): nothing can hold its
    /// pointer, so it is not kept.
    public func release(owner: UInt64) {
        let address = state.withLock { $0.live.removeValue(forKey: owner) }
        if let address { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// BPF_MAP_UPDATE_ELEM from userspace: flags above BPF_EXIST EINVAL, NOEXIST on a value
    /// EEXIST, EXIST on none ENOENT; the value is written in place.
    func store(_ value: [UInt8], for owner: UInt64, flags: UInt64) throws(MapError) {
        guard flags <= MapUpdateFlags.exist else { throw MapError(.EINVAL, "update flags 0x\(String(flags, radix: 16))") }
        let existing = storage(ofOwner: owner)
        if existing != nil, flags == MapUpdateFlags.noExist { throw MapError(.EEXIST, "\(owner) has storage") }
        if existing == nil, flags == MapUpdateFlags.exist { throw MapError(.ENOENT, "\(owner) has no storage") }
        value.withUnsafeBytes { bytes in
            guard let source = bytes.baseAddress else { return }
            if let existing {
                existing.copyMemory(from: source, byteCount: valueSize)
            } else {
                _ = create(for: owner, initial: source)
            }
        }
    }
}
