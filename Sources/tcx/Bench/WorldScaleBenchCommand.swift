import ArgumentParser
import Engine
import SwiftTCX

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench worlds`: the time and memory of worlds with many devices, programs and links, to
/// show they grow linearly (the kernel's do). Each size is built in a fresh embedded world:
/// N devices (N/2 veth pairs), N programs, one link per device; optionally the same on the
/// kernel, in a private namespace.
struct WorldScaleBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worlds",
        abstract: "CPU time and memory of worlds with N devices, N programs and N links, per size.")

    @Option(parsing: .upToNextOption, help: "World sizes N (devices, and as many programs and links).")
    var sizes: [Int] = [1_000, 10_000, 40_000]
    @Option(help: "Also build the kernel's world for sizes up to this N (0: never; veth creation is slow there).")
    var kernelUpTo = 1_000

    func validate() throws {
        guard sizes.allSatisfy({ $0 >= 2 && $0 <= 1_000_000 && $0 % 2 == 0 }) else {
            throw ValidationError("--sizes takes even numbers from 2 to 1000000")
        }
        guard kernelUpTo >= 0 else { throw ValidationError("--kernel-up-to takes 0 or more") }
    }

    struct Figures {
        var cpuNanoseconds: UInt64
        var wallNanoseconds: UInt64
        var residentBytes: Int
    }

    func run() throws {
        print("N devices (N/2 veth pairs), N programs, N links; CPU time of this process (user+system), resident memory growth")
        print(pad("N", 8) + pad("backend", 10) + pad("CPU", 12) + pad("wall", 12) + pad("CPU/object", 12)
              + pad("memory", 10) + pad("bytes/object", 14) + "growth (CPU/object vs first)")
        var firstPerObject: [String: Double] = [:]
        for size in sizes {
            var rows: [(String, Figures)] = []
            let embedded = EmbeddedSystem()
            rows.append(("embedded", try measure(embedded, size: size)))
            embedded.shutdown()
            if size <= kernelUpTo {
                do {
                    let world = try Backend.kernel.openWorld()
                    defer { world.shutdown() }
                    rows.append(("kernel", try measure(world, size: size)))
                } catch {
                    print(pad("\(size)", 8) + "kernel: not measured (\(error))")
                }
            }
            for (backend, figures) in rows {
                let objects = Double(3 * size)
                let perObject = Double(figures.cpuNanoseconds) / objects
                let first = firstPerObject[backend] ?? perObject
                firstPerObject[backend] = first
                print(pad("\(size)", 8) + pad(backend, 10) + pad(formatNanoseconds(figures.cpuNanoseconds), 12)
                      + pad(formatNanoseconds(figures.wallNanoseconds), 12) + pad(formatNanoseconds(UInt64(perObject)), 12)
                      + pad("\(figures.residentBytes / (1 << 20)) MiB", 10) + pad("\(Int(Double(figures.residentBytes) / objects))", 14)
                      + String(format1(perObject / max(first, 1))) + "x")
            }
        }
    }

    /// Builds the world and returns what it cost.
    private func measure(_ world: any TCXSystem, size: Int) throws -> Figures {
        let cpuBefore = Self.cpuNanoseconds(), wallBefore = nowNanoseconds(), residentBefore = Self.residentBytes()
        for pair in 0 ..< size / 2 {
            let (a, b) = try world.createVeth(name: "w\(pair)a", peer: "w\(pair)b")
            for (device, side) in [(a, "a"), (b, "b")] {
                let program = try world.loadProgram(.returning(Verdict.next.rawValue, name: "p\(pair)\(side)"))
                _ = try world.createLink(RawLinkCreate(program: program.rawValue,
                                                       target: HookTarget(ifindex: device, attachType: .tcxIngress)))
            }
        }
        return Figures(cpuNanoseconds: Self.cpuNanoseconds() &- cpuBefore, wallNanoseconds: nowNanoseconds() &- wallBefore,
                       residentBytes: max(0, Self.residentBytes() - residentBefore))
    }

    static func cpuNanoseconds() -> UInt64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1_000 }
        return ns(usage.ru_utime) + ns(usage.ru_stime)
    }

    /// Resident set size from /proc/self/statm (its second field, in pages).
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, 128, file) != nil else { return 0 }
        let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ").compactMap { Int($0) }
        guard fields.count >= 2 else { return 0 }
        return fields[1] * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
