import ArgumentParser
import CBPFSys
#if canImport(Glibc)
import Glibc
#endif

/// The entry point: the command tree, and then a check that what it printed reached standard
/// output — a write to a full device is an error, not a silent success.
@main
enum TCXMain {
    static func main() {
        atexit {
            guard cbpfsys_stdout_failed() != 0 else { return }
            let message = Array("tcx: cannot write standard output: \(String(cString: strerror(errno)))\n".utf8)
            _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            _exit(1)
        }
        TCXCommand.main()
    }
}
