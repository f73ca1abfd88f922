import Glibc

/// What helpers need from the outside world: clocks, randomness, the CPU number and the trace
/// log. Shared by every run; swap pieces out for deterministic tests.
public struct TCServices: Sendable {
    /// Receives each `bpf_trace_printk` line.
    public var log: @Sendable (String) -> Void
    public var monotonicNanoseconds: @Sendable () -> UInt64
    public var bootNanoseconds: @Sendable () -> UInt64
    public var random: @Sendable () -> UInt32
    public var processorID: @Sendable () -> UInt32
    /// Seeds the flow hash `bpf_get_hash_recalc` computes (the kernel's is random per boot).
    public var hashSeed: UInt32
    /// Whether the world has a device with this ifindex (`bpf_clone_redirect` refuses others).
    /// Without a world, only the loopback device a test-run runs on exists.
    public var deviceExists: @Sendable (UInt32) -> Bool = { $0 == 1 }
    /// Devices, addresses, routes, neighbours and sockets the network helpers consult.
    public var network = NetworkState()
    /// The connections the conntrack kfuncs look up and insert (Kfuncs/ConntrackTable.swift).
    public var conntrack = ConntrackTable()

    public init(log: @escaping @Sendable (String) -> Void = { _ in },
                monotonicNanoseconds: @escaping @Sendable () -> UInt64 = { TCServices.clock(CLOCK_MONOTONIC) },
                bootNanoseconds: @escaping @Sendable () -> UInt64 = { TCServices.clock(CLOCK_BOOTTIME) },
                random: @escaping @Sendable () -> UInt32 = { TCServices.pseudoRandom() },
                processorID: @escaping @Sendable () -> UInt32 = { TCServices.currentCPU() },
                hashSeed: UInt32 = 0x9e37_79b9) {
        self.log = log
        self.monotonicNanoseconds = monotonicNanoseconds
        self.bootNanoseconds = bootNanoseconds
        self.random = random
        self.processorID = processorID
        self.hashSeed = hashSeed
    }

    /// A fast per-thread pseudo-random number, as the kernel's `bpf_get_prandom_u32` gives.
    public static func pseudoRandom() -> UInt32 { PseudoRandom.next() }

    /// The CPU this thread runs on (glibc's sched_getcpu, which Swift's Glibc module hides).
    public static func currentCPU() -> UInt32 {
        guard let getcpu = schedGetCPU else { return 0 }
        return UInt32(max(0, getcpu()))
    }

    private static let schedGetCPU: (@convention(c) () -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "sched_getcpu") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    }()

    public static func clock(_ id: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
