import Engine
import Foundation
import Synchronization
import TCX
import TCXScript
import Testing

/// Paths of the repository's files, found from this file's place in it.
enum Repository {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/ReplayTests/Support.swift
        return parts.joined(separator: "/")
    }()
    static func path(_ relative: String) -> String { root + "/" + relative }
}

/// One directory per test process for every replay's output, removed when the process exits.
let scratchRoot: String = {
    var template = Array((NSTemporaryDirectory() + "/replay-tests.XXXXXX").utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
    } ?? NSTemporaryDirectory()
    atexit { try? FileManager.default.removeItem(atPath: scratchRoot) }
    return path
}()

/// A fresh directory inside `scratchRoot`.
func temporaryDirectory() -> String {
    let path = scratchRoot + "/" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// An Ethernet frame: IPv4, protocol `proto`, padded to `length` bytes.
func ipv4Frame(proto: UInt8 = 17, length: Int = 60) -> [UInt8] {
    let header: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
                           0x45, 0, 0, 46, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
    return header + [UInt8](repeating: 0, count: max(0, length - header.count))
}

/// Records what devices deliver, send and drop.
final class RecordingSink: PacketSink {
    struct Event: Equatable {
        enum Kind { case delivered, sent, dropped }
        let kind: Kind
        let ifindex: UInt32
    }
    private let log = Mutex<[Event]>([])
    var events: [Event] { log.withLock { $0 } }
    func count(_ kind: Event.Kind, _ ifindex: UInt32) -> Int { events.filter { $0 == Event(kind: kind, ifindex: ifindex) }.count }

    func delivered(_ frame: [UInt8], at ifindex: UInt32) { log.withLock { $0.append(Event(kind: .delivered, ifindex: ifindex)) } }
    func sent(_ frame: [UInt8], from ifindex: UInt32) { log.withLock { $0.append(Event(kind: .sent, ifindex: ifindex)) } }
    func dropped(_ frame: [UInt8], at ifindex: UInt32, reason: String) { log.withLock { $0.append(Event(kind: .dropped, ifindex: ifindex)) } }
}

/// The tests' redirecting program (programs/redirect.c): bpf_redirect to what its map says.
struct RedirectProgram {
    let handle: Handle
    let id: UInt32
    private let map: Handle
    private let world: EmbeddedSystem

    init(_ world: EmbeddedSystem, name: String = "redirect") throws {
        let path = Repository.path("Tests/ReplayTests/programs/redirect.o")
        let object = try LoadedObject(bytes: try #require(ScriptFile.readBytes(path)), name: "redirect.o", system: world)
        handle = try object.loadProgram("redirect_to_target", as: name)
        id = try world.programInfo(handle).id
        map = object.maps[0]
        self.world = world
    }

    /// bpf_redirect(ifindex, ingress ? BPF_F_INGRESS : 0) from now on.
    func target(_ ifindex: UInt32, ingress: Bool) throws {
        try world.update(map: map, key: le(0), value: le(ifindex), flags: 0)
        try world.update(map: map, key: le(1), value: le(ingress ? 1 : 0), flags: 0)
    }

    private func le(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
}

/// tshark, when installed: the frame lengths of a capture it reads.
enum TShark {
    static let path: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func frameLengths(_ file: String) throws -> [Int] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments = ["-r", file, "-T", "fields", "-e", "frame.len"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TSharkFailed(file: file, status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
    }

    struct TSharkFailed: Error { let file: String; let status: Int32 }
}
