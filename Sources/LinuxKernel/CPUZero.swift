import Glibc

/// The script contract runs `test-run` on CPU 0, so a per-CPU map's first copy is the one a
/// program changes. The kernel runs BPF_PROG_TEST_RUN (skb) on the calling thread's CPU, so
/// the calling thread is pinned to CPU 0 for the call and given its old CPU set back after.
enum CPUZero {
    private typealias Affinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
    /// glibc's sched_{get,set}affinity, which Swift's Glibc module hides behind _GNU_SOURCE.
    private static let calls: (get: Affinity, set: Affinity)? = {
        let process = dlopen(nil, RTLD_NOW)
        guard let get = dlsym(process, "sched_getaffinity"), let set = dlsym(process, "sched_setaffinity") else { return nil }
        return (unsafeBitCast(get, to: Affinity.self), unsafeBitCast(set, to: Affinity.self))
    }()
    /// Room for 8192 CPUs, more than any kernel this runs on is built for.
    private static let maskBytes = 1024

    /// Runs `body` on CPU 0; where the thread may not move there (a cpuset without CPU 0), it
    /// runs where it is.
    static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        guard let calls else { return try body() }
        var saved = [UInt8](repeating: 0, count: maskBytes)
        guard saved.withUnsafeMutableBytes({ calls.get(0, maskBytes, $0.baseAddress) }) == 0 else { return try body() }
        var zero = [UInt8](repeating: 0, count: maskBytes)
        zero[0] = 1
        guard zero.withUnsafeMutableBytes({ calls.set(0, maskBytes, $0.baseAddress) }) == 0 else { return try body() }
        defer { _ = saved.withUnsafeMutableBytes { calls.set(0, maskBytes, $0.baseAddress) } }
        return try body()
    }
}
