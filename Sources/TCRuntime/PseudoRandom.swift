import Glibc

/// `bpf_get_prandom_u32` as the kernel's: a fast per-thread pseudo-random generator (the
/// kernel's is a per-CPU one, not a cryptographic one), seeded once per thread from the
/// system's. The system generator costs a `getrandom` system call per number, most of a short
/// program that asks for two.
enum PseudoRandom {
    private final class State {
        @exclusivity(unchecked) var word = UInt64.random(in: .min ... .max)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let made = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
        precondition(made == 0, "pthread_key_create failed: no thread-local slot for the random state")
        return key
    }()

    /// The next number: splitmix64 of a per-thread counter.
    static func next() -> UInt32 {
        let state: Unmanaged<State>
        if let existing = pthread_getspecific(key) {
            state = Unmanaged<State>.fromOpaque(existing)
        } else {
            state = Unmanaged.passRetained(State())
            pthread_setspecific(key, state.toOpaque())
        }
        return state._withUnsafeGuaranteedRef { state in
            state.word &+= 0x9e37_79b9_7f4a_7c15
            var z = state.word
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return UInt32(truncatingIfNeeded: (z ^ (z >> 31)) >> 32)
        }
    }
}
