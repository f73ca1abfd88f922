// The only place that knows which C library is underneath.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

func currentErrno() -> Int32 { errno }

func errnoText(_ e: Int32) -> String {
    guard let p = strerror(e) else { return "errno \(e)" }
    return String(cString: p) + ", errno \(e)"
}

/// A stdio stream: buffered, so small reads and writes stay cheap.
final class CFile {
    private var handle: UnsafeMutablePointer<FILE>?
    let path: String

    init(path: String, mode: String) throws(PcapError) {
        self.path = path
        guard let h = fopen(path, mode) else {
            throw PcapError(.cannotOpen(errno: currentErrno()), file: path)
        }
        handle = h
    }

    deinit { if let handle { fclose(handle) } }

    /// Reads up to `count` bytes; fewer only at end of file. Grows the buffer as data arrives,
    /// so a bogus huge length in a corrupt file cannot make us allocate it up front.
    func read(_ count: Int, appendingTo out: inout [UInt8]) throws(PcapError) -> Int {
        guard let handle else { throw PcapError(.closed, file: path) }
        var total = 0
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 16))
        while total < count {
            let want = min(count - total, chunk.count)
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, want, handle) }
            if got > 0 { out.append(contentsOf: chunk[0..<got]) }
            total += got
            if got < want {
                if ferror(handle) != 0 { throw PcapError(.io(operation: "read", errno: currentErrno()), file: path) }
                break
            }
        }
        return total
    }

    func write(_ bytes: ArraySlice<UInt8>) throws(PcapError) {
        guard let handle else { throw PcapError(.closed, file: path) }
        guard !bytes.isEmpty else { return }
        // rethrows closures lose the typed error, so the closure only reports a count.
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        if written != bytes.count {
            throw PcapError(.io(operation: "write", errno: currentErrno()), file: path)
        }
    }

    func flush() throws(PcapError) {
        guard let handle else { throw PcapError(.closed, file: path) }
        if fflush(handle) != 0 { throw PcapError(.io(operation: "flush", errno: currentErrno()), file: path) }
    }

    func close() throws(PcapError) {
        guard let h = handle else { return }
        handle = nil
        if fclose(h) != 0 { throw PcapError(.io(operation: "close", errno: currentErrno()), file: path) }
    }
}
