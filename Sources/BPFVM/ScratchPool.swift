import BPFCore
#if canImport(Glibc)
import Glibc
#endif

/// Scratch blocks (stack, registers, call frames) kept per thread, so a run allocates nothing:
/// a block (about 140 KB, mostly stack pages a run rarely reaches) is far too big for
/// `withUnsafeTemporaryAllocation` to place on the stack. A run
/// takes one and gives it back; a run started inside another (a helper running a program)
/// takes a second.
enum ScratchPool {
    /// The blocks a thread has free, freed with the thread.
    private final class FreeBlocks {
        @exclusivity(unchecked) var blocks: [UnsafeMutableRawPointer] = []
        deinit { for block in blocks { block.deallocate() } }
    }

    private static let freeBlocks = ThreadLocalObject("the VM's scratch") { FreeBlocks() }

    private static func withFreeBlocks<T>(_ body: (FreeBlocks) -> T) -> T { freeBlocks.with(body) }

    static func take() -> UnsafeMutableRawPointer {
        withFreeBlocks { $0.blocks.popLast() } ?? .allocate(byteCount: Scratch.bytes, alignment: 16)
    }

    static func give(_ block: UnsafeMutableRawPointer) {
        withFreeBlocks { free in
            if free.blocks.count < 4 { free.blocks.append(block) } else { block.deallocate() }
        }
    }
}

/// A scratch block a caller owns and hands to every run it makes (`ProgramExecutor.run(...,
/// scratch:)`), so a run skips the per-thread pool: a `TCRun` keeps one. One run at a time per
/// block; a run inside a run needs another.
public struct RunScratch: @unchecked Sendable {
    // @unchecked: the block is only touched by the one run using it.
    let block: UnsafeMutableRawPointer

    public static func allocate() -> RunScratch {
        RunScratch(block: .allocate(byteCount: Scratch.bytes, alignment: 16))
    }

    public func deallocate() { block.deallocate() }
}
