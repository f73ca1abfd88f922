import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The corpus programs (Tests/Fixtures/programs) on both backends, compared by their MAP
/// CONTENTS: each `prog_*.tcx` script's `prog … load` and `test-run` lines are replayed through
/// `LoadedObject` in an embedded world and a kernel world, then every map of every object is
/// dumped through `BPFObjectSystem` (nextKey + lookup) and compared byte for byte.
///
/// What is comparable, and how:
/// * arrays, hashes, the LPM trie and global data (.data/.bss/.rodata): every key and value, as
///   sets (hash iteration order is each backend's own).
/// * per-CPU maps (percpu array/hash, LRU percpu hash): userspace sees one value per possible CPU,
///   and the two backends may count CPUs differently; a test-run runs on one CPU, but the kernel
///   picks whichever the thread is on. So the values are compared as the lane-wise sum over CPUs
///   of their 8-byte words (every per-CPU value in the corpus is made of u64 counters).
/// * LRU maps like any hash: the corpus never lets one evict (1024 entries; the kernel's common LRU
///   evicts by per-CPU free lists, even before the map is full: see Tests/Fixtures/programs/progs.h).
/// * prog arrays hold program fds/ids and ring buffers have no elements: skipped.
@Suite(needsKernel)
struct ProgramMapDifferentialTests {
    static let scripts = KernelTestSupport.scripts(in: "kernel").filter { $0.split(separator: "/").last!.hasPrefix("prog_") }

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 8)
    }

    @Test(arguments: scripts)
    func mapsAgreeAfterTheScript(path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let directory = String(path[..<path.lastIndex(of: "/")!])
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        let a = Replay(system: engine, directory: directory)
        let b = Replay(system: kernel, directory: directory)
        var replayed = 0
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let command = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = (command.components(separatedBy: "=>").first ?? "").split(separator: " ").map(String.init)
            let ra = try a.run(words), rb = try b.run(words)
            replayed += ra.isEmpty ? 0 : 1
            #expect(ra == rb, "\(path): \(line.prefix(80))")
        }
        #expect(replayed > 20)
        try compareMaps(a, b, path)
    }

    /// Tail calls through a filled prog array (the scripts cannot fill one): tail_entry jumps to
    /// slot 0 (tail_a) or 1 (tail_b), which stamp and jump on as the packet says.
    @Test func tailCallsAgree() throws {
        let directory = String(Self.scripts[0][..<Self.scripts[0].lastIndex(of: "/")!])
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        var outcomes: [[String]] = []
        for system in [engine, kernel] as [any BPFObjectSystem] {
            let replay = Replay(system: system, directory: directory)
            for name in ["tail_entry", "tail_a", "tail_b"] {
                _ = try replay.run(["prog", name, "load", "../../programs/maps.o", name])
            }
            let object = try #require(replay.objects.values.first)
            let table = try #require(object.spec.maps.firstIndex { $0.name == "jump_table" })
            for (slot, program) in [(0, "tail_a"), (1, "tail_b")] {
                let fd = try #require(replay.programs[program]).rawValue
                try system.update(map: object.maps[table], key: le32(UInt32(slot)), value: le32(fd), flags: 0)
            }
            var results: [String] = []
            // byte 14: first slot; bytes 20+: the slot each step jumps to next (3 = empty, 9 = out of range).
            for route: [UInt8] in [[0, 3], [1, 3], [0, 1, 0, 1, 0, 1, 0], [1, 9], [3], [2], [0, 0, 0, 0, 0, 0, 0, 0]] {
                var packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 24)
                packet[14] = route[0]
                for (i, next) in route.dropFirst().enumerated() { packet[20 + i] = next }
                results.append(try replay.run(["test-run", "tail_entry", "packet=" + hex(packet)]))
            }
            try system.delete(map: object.maps[table], key: le32(1))
            results.append(try replay.run(["test-run", "tail_entry", "packet=" + hex([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0xb5, 1] + [UInt8](repeating: 0, count: 20))]))
            outcomes.append(results)
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0][0].hasPrefix("ret=200 "))  // tail_a at depth 0, then the empty slot 3
    }

    // MARK: comparing

    private func compareMaps(_ a: Replay, _ b: Replay, _ path: String) throws {
        for (file, objectA) in a.objects {
            let objectB = try #require(b.objects[file])
            for (index, spec) in objectA.spec.maps.enumerated() {
                if spec.type == .progArray || spec.type == .ringbuf { continue }
                let contentsA = try dump(a.system, objectA.maps[index], spec)
                let contentsB = try dump(b.system, objectB.maps[index], spec)
                let what = "\(path): \(file) map \(spec.name)"
                #expect(!contentsA.isEmpty || spec.type == .hash || spec.type == .lruHash, "\(what) is empty")
                for key in Set(contentsA.keys).union(contentsB.keys) where contentsA[key] != contentsB[key] {
                    Issue.record("\(what) key \(hex(key)): embedded \(contentsA[key].map(hex) ?? "-") kernel \(contentsB[key].map(hex) ?? "-")")
                }
            }
        }
    }

    /// Every key and its value; per-CPU values as the lane-wise sum of their u64 words over CPUs.
    private func dump(_ system: any BPFObjectSystem, _ map: Handle, _ spec: MapSpec) throws -> [[UInt8]: [UInt8]] {
        var contents: [[UInt8]: [UInt8]] = [:]
        var key: [UInt8]? = nil
        while let next = try system.nextKey(map: map, after: key), contents.count <= Int(spec.maxEntries) {
            let value = try system.lookup(map: map, key: next)
            contents[next] = isPerCPU(spec) ? sumOverCPUs(value, spec) : value
            key = next
        }
        return contents
    }

    private func isPerCPU(_ spec: MapSpec) -> Bool {
        spec.type == .percpuArray || spec.type == .percpuHash || spec.type == .lruPercpuHash
    }

    private func sumOverCPUs(_ value: [UInt8], _ spec: MapSpec) -> [UInt8] {
        let stride = Int((spec.valueSize + 7) / 8 * 8)
        var lanes = [UInt64](repeating: 0, count: stride / 8)
        for cpu in 0..<(value.count / stride) {
            for lane in lanes.indices {
                let base = cpu * stride + lane * 8
                let word = value[base..<base + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                lanes[lane] &+= word
            }
        }
        return lanes.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) } }
    }
}

/// Replays the `prog … load` and `test-run` lines of a script on one backend, keeping the
/// loaded objects (one per FILE, as the script runner does) and program handles.
private final class Replay {
    let system: any BPFObjectSystem
    let directory: String
    var objects: [String: LoadedObject] = [:]
    var programs: [String: Handle] = [:]

    init(system: any BPFObjectSystem, directory: String) {
        self.system = system
        self.directory = directory
    }

    deinit {
        for object in objects.values { object.close() }
    }

    /// The line's result as the script prints it; "" for lines that are not replayed.
    func run(_ words: [String]) throws -> String {
        do throws(TCXError) {
            if words.count == 5, words[0] == "prog", words[2] == "load" {
                let file = words[3]
                if objects[file] == nil {
                    guard let bytes = ScriptFile.readBytes(directory + "/" + file) else { throw TCXError(.ENOENT, file) }
                    objects[file] = try LoadedObject(bytes: bytes, name: file, system: system)
                }
                programs[words[1]] = try objects[file]!.loadProgram(words[4], as: words[1])
                return "ok"
            }
            if words.count >= 3, words[0] == "test-run", let program = programs[words[1]] {
                let packet = hexBytes(String(words[2].dropFirst("packet=".count)))
                let count = words.dropFirst(3).first { $0.hasPrefix("repeat=") }.flatMap { UInt32($0.dropFirst(7)) } ?? 0
                let result = try system.testRun(program, packet: packet, repeat: count)
                return "ret=\(Int32(bitPattern: result.returnValue)) out=\(hex(result.packetOut))"
            }
            return ""
        } catch {
            return "error \(error.errno.name)"
        }
    }
}

private func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

private func hexBytes(_ text: String) -> [UInt8] {
    let chars = Array(text.utf8)
    return stride(from: 0, to: chars.count - 1, by: 2).compactMap { UInt8(String(decoding: chars[$0...$0 + 1], as: UTF8.self), radix: 16) }
}
