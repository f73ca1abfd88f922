import BPFCore
import BPFMaps
import BPFVM

/// The bit iterator (`bpf_iter_bits_new/next/destroy`): 16 bytes on the program's stack, laid
/// out as the kernel's `bpf_iter_bits_kern`: the words themselves when there is one, else the
/// address of a copy; the number of bits; the last bit given (-1 before the first). `new`
/// copies the words it is pointed at (a probe read: a pointer to nothing is EFAULT, as the
/// kernel's bpf_probe_read_kernel), so later writes to them change nothing; `next` gives a
/// pointer to the index of the next set bit, lowest first, NULL past the last.
enum BitsIteratorKfuncs {
    /// The kernel's BITS_ITER_NR_WORDS_MAX: 511 words, the largest copy its allocator makes.
    static let maxWords: UInt64 = 511
    private static let bitsOffset = 0, countOffset = 8, bitOffset = 12

    static func register(_ table: inout KfuncTable) {
        table.register(.iterBitsNew, new)
        table.register(.iterBitsNext, next)
        table.register(.iterBitsDestroy) { call in
            guard let block = call.memory(at: call.r1, count: 16, write: true, "bit iterator") else { return 0 }
            let count = block.loadUnaligned(fromByteOffset: countOffset, as: Int32.self)
            if count > 64 {
                let copy = block.loadUnaligned(fromByteOffset: bitsOffset, as: UInt64.self)
                // Only the copy this run's `new` made (a forged iterator may name any object).
                guard ObjectKfuncs.handOn(copy, call) else { return ObjectKfuncs.notHeld(&call) }
                ObjectHeap.shared.free(copy)
            }
            block.storeBytes(of: 0, toByteOffset: countOffset, as: Int32.self)
            return 0
        }
    }

    /// new(it, words, nr_words): 0; EINVAL for NULL or no words, E2BIG past 511, EFAULT for
    /// words the program cannot read. The iterator is empty after any of those.
    static func new(_ call: inout HelperCall) -> UInt64 {
        guard let block = call.memory(at: call.r1, count: 16, write: true, "bit iterator") else { return 0 }
        block.storeBytes(of: 0, toByteOffset: bitsOffset, as: UInt64.self)
        block.storeBytes(of: 0, toByteOffset: countOffset, as: Int32.self)
        block.storeBytes(of: -1, toByteOffset: bitOffset, as: Int32.self)
        let words = UInt64(UInt32(truncatingIfNeeded: call.r3))
        guard call.r2 != 0, words != 0 else { return failed(.EINVAL) }
        guard words <= maxWords else { return failed(.E2BIG) }
        let size = Int(words) * 8
        guard let source = call.bytes(at: call.r2, count: size, write: false) else { return failed(.EFAULT) }
        if words == 1 {
            block.storeBytes(of: source.loadUnaligned(as: UInt64.self), toByteOffset: bitsOffset, as: UInt64.self)
        } else {
            // A copy the run holds until destroy (dropped with the run's objects if it faults).
            guard let copy = ObjectHeap.shared.allocate(size: size), let base = copy.baseAddress else { return failed(.ENOMEM) }
            copy.copyMemory(from: UnsafeRawBufferPointer(source))
            let address = UInt64(UInt(bitPattern: base))
            TCRun.borrow(call) { run in run.heldObjects.append(address) }
            block.storeBytes(of: address, toByteOffset: bitsOffset, as: UInt64.self)
        }
        block.storeBytes(of: Int32(words * 64), toByteOffset: countOffset, as: Int32.self)
        return 0
    }

    /// A pointer to the next set bit's index inside the iterator, or NULL past the last.
    static func next(_ call: inout HelperCall) -> UInt64 {
        guard let block = call.memory(at: call.r1, count: 16, write: true, "bit iterator") else { return 0 }
        // The state is program memory (forged, without the verifier): unaligned loads, and
        // a bit index below -1 (the fresh iterator's) or a count past the words ends it.
        var count = Int(block.loadUnaligned(fromByteOffset: countOffset, as: Int32.self))
        let last = Int(block.loadUnaligned(fromByteOffset: bitOffset, as: Int32.self))
        guard count > 0, last >= -1, last < count else { return 0 }
        let found: Int
        if count == 64 {
            found = nextSet(in: UnsafeRawBufferPointer(start: block.baseAddress, count: 8), after: last, count: count)
        } else {
            let address = block.loadUnaligned(fromByteOffset: bitsOffset, as: UInt64.self)
            guard let copy = ObjectHeap.shared.object(at: address) else { return 0 }
            count = min(count, copy.count / 8 * 64)
            guard last < count else { return 0 }
            found = nextSet(in: UnsafeRawBufferPointer(copy), after: last, count: count)
        }
        block.storeBytes(of: Int32(found), toByteOffset: bitOffset, as: Int32.self)
        return found < count ? call.r1 &+ UInt64(bitOffset) : 0
    }

    /// The first set bit past `after` in little-endian words (find_next_bit), `count` when none.
    private static func nextSet(in words: UnsafeRawBufferPointer, after: Int, count: Int) -> Int {
        var bit = after + 1
        while bit < count {
            let word = words.loadUnaligned(fromByteOffset: bit / 64 * 8, as: UInt64.self) >> UInt64(bit % 64)
            if word != 0 { return min(bit + word.trailingZeroBitCount, count) }
            bit = (bit / 64 + 1) * 64
        }
        return count
    }
}
