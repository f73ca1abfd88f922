import BPFCore
import Synchronization

/// Services that answer every run the same (`EngineDifferential`): clocks that start at the
/// same instants and step 1 µs at each read, a random sequence from one seed, CPU 0; the trace
/// lines are kept for comparison.
public final class DeterministicServices: Sendable {
    private let state = Mutex<(clock: UInt64, random: SplitMix64, lines: [String])>(
        (1_000_000_000_000, SplitMix64(seed: 0x6a09_e667_f3bc_c908), []))

    public init() {}

    /// The `bpf_trace_printk` lines so far.
    public var lines: [String] { state.withLock { $0.lines } }

    public var services: TCServices {
        TCServices(log: { line in self.state.withLock { $0.lines.append(line) } },
                   monotonicNanoseconds: { self.tick() },
                   bootNanoseconds: { self.tick() &+ 5_000_000_000 },
                   random: { self.state.withLock { UInt32(truncatingIfNeeded: $0.random.next() >> 32) } },
                   processorID: { 0 })
    }

    private func tick() -> UInt64 {
        state.withLock { state in
            state.clock &+= 1_000
            return state.clock
        }
    }
}
