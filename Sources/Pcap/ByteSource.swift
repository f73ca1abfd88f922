// Where a reader's bytes come from: a file streamed through stdio, or an array in memory.
// Either way the parsers see the same calls and keep their own offsets.
protocol ByteSource: AnyObject {
    var name: String { get }
    /// Up to `count` bytes; fewer only at the end of the data.
    func read(_ count: Int) throws(PcapError) -> [UInt8]
}

final class FileByteSource: ByteSource {
    private let file: CFile
    var name: String { file.path }

    init(path: String) throws(PcapError) {
        file = try CFile(path: path, mode: "rb")
    }

    func read(_ count: Int) throws(PcapError) -> [UInt8] {
        var out: [UInt8] = []
        _ = try file.read(max(0, count), appendingTo: &out)
        return out
    }
}

final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    let name: String

    init(bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.name = name
    }

    func read(_ count: Int) throws(PcapError) -> [UInt8] {
        let n = max(0, min(count, bytes.count - position))
        defer { position += n }
        return Array(bytes[position..<position + n])
    }
}
