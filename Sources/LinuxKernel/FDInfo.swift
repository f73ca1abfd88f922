import BPFCore
import Glibc
import SystemPackage
import TCX

/// /proc/self/fdinfo/FD: the kernel's `key:\tvalue` description of an open file, which names
/// a BPF object's kind (`prog_type`, `link_type` or `map_type`) and its id.
struct FDInfo {
    let fields: [String: String]

    /// Reads the fdinfo of `fd`; EBADF when the fd is not open.
    init(_ fd: Int32) throws(TCXError) {
        let path = FilePath("/proc/self/fdinfo/\(fd)")
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        } catch {
            throw TCXError(.EBADF, "fd \(UInt32(bitPattern: fd)) is not open")
        }
        defer { try? file.close() }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = (try? chunk.withUnsafeMutableBytes { try file.read(into: $0) }) ?? 0
            if count <= 0 { break }
            text += chunk[0..<count]
        }
        var fields: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingPrefix { $0 == " " || $0 == "\t" }
            fields[String(line[..<colon])] = String(value)
        }
        self.fields = fields
    }

    /// What kind of BPF object the file is, if any.
    var kind: ObjectKind? {
        if fields["link_type"] != nil { return .link }
        if fields["prog_type"] != nil { return .program }
        if fields["map_type"] != nil { return .map }
        return nil
    }

    /// The link id of a link file.
    var linkID: UInt32? { fields["link_id"].flatMap { UInt32($0) } }
}
