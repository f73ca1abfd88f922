import BPFCore
import BPFMaps
import BPFVM

/// bpf_user_ringbuf_drain: calls `callback(dynptr, ctx)` for each sample userspace committed
/// to a USER_RINGBUF, until the ring is empty, the callback returns 1, or 128 Ki samples;
/// returns how many samples it took (discarded ones skipped), or the error that stopped it
/// (EINVAL, E2BIG on a bad record; EBUSY while another drain of the ring runs).
enum UserRingbufHelper {
    static func register(_ table: inout HelperTable) {
        table.register(209, name: "user_ringbuf_drain", drain)
    }

    static func drain(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call) else { return 0 }
        guard let ring = map as? UserRingBufferMap else {
            call.failure = "user_ringbuf_drain: map \(map.spec.name) is not a user ring buffer"
            return 0
        }
        guard call.r4 & ~RingBufferMap.wakeupFlags == 0 else { return failed(.EINVAL) }
        guard ring.beginDrain() else { return failed(.EBUSY) }
        defer { ring.endDrain() }
        let run = TCRun.from(call)
        // The dynptr the callback gets lives outside its stack, read-only (a const dynptr to
        // the kernel verifier); the sample it describes is writable.
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { block.deallocate() }
        let blockRegion = MemoryRegion(block, writable: false)
        run.grants.append(blockRegion)
        defer { run.grants.removeAll { $0 == blockRegion } }
        var samples = 0, discarded = 0
        var stop = false
        while samples < UserRingBufferMap.maxSamplesPerDrain, !stop {
            switch ring.peek() {
            case .none:
                return UInt64(samples - discarded)
            case .discarded:
                discarded += 1
            case .failed(let errno):
                return failed(errno)
            case let .sample(sample, size):
                block.storeBytes(of: UInt64(UInt(bitPattern: sample)), toByteOffset: 0, as: UInt64.self)
                // A local dynptr the callback may write through (measured: the kernel's is).
                block.storeBytes(of: UInt32(size) | DynptrHelpers.typeLocal << DynptrHelpers.typeShift,
                                 toByteOffset: 8, as: UInt32.self)
                block.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)
                let sampleRegion = MemoryRegion(UnsafeMutableRawBufferPointer(start: sample, count: size), writable: true)
                run.grants.append(sampleRegion)
                let result = call.callFunction(call.r2, blockRegion.base, call.r3)
                if let i = run.grants.lastIndex(of: sampleRegion) { run.grants.remove(at: i) }
                guard let result else { return 0 }
                ring.release(sampleSize: size)
                stop = result != 0
            }
            samples += 1
        }
        return UInt64(samples - discarded)
    }
}
