import SwiftTCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

/// The programs `tcx bench programs` times: clang-compiled tc programs of the repository.
/// To add one, append a line to `listed`; every object dropped into a `discovered` directory is
/// also run, each of its programs on the standard packet.
struct BenchProgram {
    /// What the table shows.
    var name: String
    /// The object, relative to the package's root.
    var object: String
    /// A section or function name, as `prog NAME load FILE SECTION` takes it.
    var section: String
    var packet: [UInt8] = BenchPackets.tcp

    static let listed: [BenchProgram] = [
        BenchProgram(name: "checksums", object: "Tests/Fixtures/tc-runtime/csum.o", section: "csum"),
        BenchProgram(name: "ctx-read", object: "Tests/Fixtures/tc-runtime/ctx_read.o", section: "ctx_read"),
        BenchProgram(name: "ctx-write", object: "Tests/Fixtures/tc-runtime/ctx_write.o", section: "ctx_write"),
        BenchProgram(name: "counters (legacy maps)", object: "Tests/Fixtures/objects/legacy_maps.o", section: "count_legacy"),
        BenchProgram(name: "every map type", object: "Tests/Fixtures/objects/btf_maps.o", section: "use_maps"),
        BenchProgram(name: "global data", object: "Tests/Fixtures/objects/globals.o", section: "read_globals"),
        BenchProgram(name: "bpf-to-bpf calls", object: "Tests/Fixtures/objects/subprogs.o", section: "uses_middle"),
        BenchProgram(name: "bpf_loop", object: "Tests/Fixtures/objects/subprogs.o", section: "uses_loop"),
        BenchProgram(name: "bpf_loop, 64 iterations", object: "Tests/Fixtures/objects/loop_sum.o", section: "loop_sum"),
        BenchProgram(name: "bpf_loop, 64 iterations, not inlined", object: "Tests/Fixtures/objects/loop_sum.o",
                     section: "loop_sum_helper"),
        BenchProgram(name: "kernel skb fields (cast, probe loads)", object: "Tests/Fixtures/corpus/kfunc/btf_skb.o",
                     section: "skb_fields"),
    ]

    /// Directories (relative to the package's root) whose objects are all benchmarked: the
    /// realistic programs of the differential corpus and the examples.
    static let discovered = ["Tests/Fixtures/programs", "examples/programs"]
}

/// Packets the benchmark runs on.
enum BenchPackets {
    /// An Ethernet / IPv4 / TCP frame of 256 bytes (10.0.0.1:40000 -> 10.0.0.2:80, ACK|PSH),
    /// with a valid IPv4 header checksum: what a tc program on a web server's ingress sees.
    static let tcp: [UInt8] = {
        let total = 256, ipLength = total - 14
        var frame: [UInt8] = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]
        var ip: [UInt8] = [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xff), 0x12, 0x34, 0x40, 0,
                           64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        var sum = stride(from: 0, to: ip.count, by: 2).reduce(UInt32(0)) { $0 + (UInt32(ip[$1]) << 8 | UInt32(ip[$1 + 1])) }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        let folded = ~UInt16(sum)
        ip[10] = UInt8(folded >> 8)
        ip[11] = UInt8(folded & 0xff)
        let tcp: [UInt8] = [0x9c, 0x40, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]
        frame += ip + tcp
        frame += (0..<(total - frame.count)).map { UInt8(truncatingIfNeeded: $0) }
        return frame
    }()
}

extension BenchProgram {
    /// `listed`, then every program of every object in the `discovered` directories that exist.
    static func all(root: String) -> [BenchProgram] {
        listed + discovered.flatMap { directory in
            objectFiles(in: root + "/" + directory).flatMap { file in
                programs(of: directory + "/" + file, root: root)
            }
        }
    }

    /// The `.o` files of a directory, sorted; none when it does not exist.
    private static func objectFiles(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".o") { names.append(name) }
        }
        return names.sorted()
    }

    /// One case per tc program of the object (parsed in a throwaway embedded world).
    private static func programs(of object: String, root: String) -> [BenchProgram] {
        guard let bytes = try? FileBytes.read(root + "/" + object, .object),
              let world = try? Backend.embedded.openWorld() else { return [] }
        defer { world.shutdown() }
        guard let loaded = try? LoadedObject(bytes: bytes, name: object, system: world) else { return [] }
        return loaded.spec.programs.filter { $0.type == .schedCLS && $0.refusal == nil }.map { program in
            BenchProgram(name: "\(loaded.spec.name)/\(program.name)", object: object, section: program.name)
        }
    }
}
