import BPFVM
import Glibc

/// The clocks besides ktime_get_ns / ktime_get_boot_ns, and the NUMA node.
enum ClockHelpers {
    /// The kernel's jiffies start 300 seconds before wrapping a 32-bit counter, at HZ ticks a
    /// second; the tick rate is a build option, 250 by default (and on this project's kernel).
    static let ticksPerSecond: UInt64 = 250
    static let initialJiffies: UInt64 = UInt64(UInt32(truncatingIfNeeded: -300 * Int64(ticksPerSecond)))

    /// The kernel's tick counter now, from the run's boot clock.
    static func jiffies(_ call: HelperCall) -> UInt64 {
        initialJiffies &+ TCRun.borrowKeepingImage(call) { run in run.withServices { $0.bootNanoseconds() } }
            / (1_000_000_000 / ticksPerSecond)
    }

    static func register(_ table: inout HelperTable) {
        table.register(208, name: "ktime_get_tai_ns") { _ in TCServices.clock(CLOCK_TAI) }
        table.register(160, name: "ktime_get_coarse_ns") { _ in TCServices.clock(CLOCK_MONOTONIC_COARSE) }
        table.register(118, name: "jiffies64") { call in jiffies(call) }
        table.register(42, name: "get_numa_node_id") { _ in 0 }
    }
}
