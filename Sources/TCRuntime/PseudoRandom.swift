import BPFCore

/// `bpf_get_prandom_u32` as the kernel's: a fast per-thread pseudo-random generator (the
/// kernel's is a per-CPU one, not a cryptographic one), seeded once per thread from the
/// system's. The system generator costs a `getrandom` system call per number, most of a short
/// program that asks for two.
enum PseudoRandom {
    private final class State {
        @exclusivity(unchecked) var generator = SplitMix64(seed: UInt64.random(in: .min ... .max))
    }

    private static let state = ThreadLocalObject("the random state") { State() }

    /// The next number: the high half of this thread's splitmix64.
    static func next() -> UInt32 {
        state.with { UInt32(truncatingIfNeeded: $0.generator.next() >> 32) }
    }
}
