#if canImport(Glibc)
import Glibc
#endif

/// Monotonic nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Latency samples of one operation, in nanoseconds.
struct LatencySamples {
    private(set) var values: [UInt64] = []

    mutating func record(_ start: UInt64, _ end: UInt64) { values.append(end &- start) }

    func percentile(_ p: Double) -> UInt64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
        return sorted[index]
    }

    var median: UInt64 { percentile(0.5) }
    var p99: UInt64 { percentile(0.99) }
}

/// "1.23 µs"-style text for nanoseconds.
func formatNanoseconds(_ ns: UInt64) -> String {
    func fixed(_ value: Double) -> String {
        let scaled = Int((value * 100).rounded())
        let fraction = scaled % 100
        return "\(scaled / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
    switch ns {
    case ..<10_000: return "\(ns) ns"
    case ..<1_000_000: return fixed(Double(ns) / 1_000) + " µs"
    default: return fixed(Double(ns) / 1_000_000) + " ms"
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
