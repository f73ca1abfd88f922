import Synchronization

/// Cookies the kernel hands out from one counter: each socket gets the next on first use.
enum SocketCookies {
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue | 1 << 32
    }

    /// This world's network namespace cookie: one stable value per process.
    static let namespaceCookie: UInt64 = next()
}
