import BPFCore
import Glibc
import TCX

/// BPF_PROG_LOAD.
enum ProgramLoader {
    /// Loads `spec` and returns the program's fd. When the kernel refuses, the load is tried once
    /// more with a verifier log so the error can say why; the errno is the first attempt's.
    static func load(_ spec: ProgramSpec) throws(TCXError) -> Int32 {
        switch attempt(spec, log: UnsafeMutableRawBufferPointer?.none) {
        case .success(let fd):
            return fd
        case .failure(let code):
            var log = [UInt8](repeating: 0, count: 1 << 20)
            let retry = log.withUnsafeMutableBytes { attempt(spec, log: $0) }
            // A refusal that does not repeat leaves nothing to explain; drop the extra program.
            if case .success(let fd) = retry { _ = Glibc.close(fd) }
            let text = String(decoding: log.prefix { $0 != 0 }, as: UTF8.self)
            let lastLines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            var error = BPFSyscall.failure(.progLoad, code, "'\(spec.name)'")
            if !lastLines.isEmpty { error.reason += "; verifier: \(lastLines)" }
            throw error
        }
    }

    /// The kernel accepts letters, digits, '_' and '.' in names, at most 15 of them.
    static func kernelName(_ name: String) -> [UInt8] {
        let allowed = name.utf8.map { byte -> UInt8 in
            let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a)
                || (byte >= 0x61 && byte <= 0x7a)
            return isAlphanumeric || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") ? byte : UInt8(ascii: "_")
        }
        return Array(allowed.prefix(bpfObjectNameLength - 1))
    }

    private static func attempt(_ spec: ProgramSpec, log: UnsafeMutableRawBufferPointer?) -> BPFOutcome {
        let license = Array(spec.license.utf8) + [0]
        return spec.instructions.withUnsafeBytes { instructions in
            license.withUnsafeBytes { licenseBytes in
                var attr = BPFAttr.zeroed()
                attr.set(BPFAttr.ProgLoad.progType, spec.type.rawValue)
                attr.set(BPFAttr.ProgLoad.insnCount, UInt32(spec.instructions.count / 8))
                attr.set(BPFAttr.ProgLoad.insns, pointer: instructions.baseAddress)
                attr.set(BPFAttr.ProgLoad.license, pointer: licenseBytes.baseAddress)
                attr.set(BPFAttr.ProgLoad.progName, kernelName(spec.name))
                attr.set(BPFAttr.ProgLoad.expectedAttachType, spec.expectedAttachType?.rawValue ?? 0)
                if let log {
                    attr.set(BPFAttr.ProgLoad.logLevel, UInt32(1))
                    attr.set(BPFAttr.ProgLoad.logSize, UInt32(log.count))
                    attr.set(BPFAttr.ProgLoad.logBuffer, pointer: UnsafeRawPointer(log.baseAddress))
                }
                return BPFSyscall.attempt(.progLoad, &attr)
            }
        }
    }
}
