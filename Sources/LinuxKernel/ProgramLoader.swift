import BPFCore
import Glibc
import TCX

/// BPF_PROG_LOAD, with the object's BTF (BPF_BTF_LOAD) when the spec carries function records.
enum ProgramLoader {
    /// Loads `spec` and returns the program's fd. When the kernel refuses, the load is tried once
    /// more with a verifier log so the error can say why; the errno is the first attempt's.
    /// BTF the kernel refuses is left out, as libbpf does; the error then says why it was refused.
    static func load(_ spec: ProgramSpec) throws(TCXError) -> Int32 {
        var btf: BTFHandle?
        var btfRefusal: String?
        if let bytes = spec.btf, !spec.functionInfo.isEmpty {
            // The object's maps were created with the same kernel BTF object (SharedBTF).
            switch SharedBTF.fd(for: bytes) {
            case .success(let fd): btf = BTFHandle(fd: fd, functionInfo: spec.functionInfo)
            case .failure(let reason): btfRefusal = reason
            }
        }
        defer { if let btf { _ = Glibc.close(btf.fd) } }
        switch attempt(spec, btf: btf, log: UnsafeMutableRawBufferPointer?.none) {
        case .success(let fd):
            return fd
        case .failure(let code):
            var log = [UInt8](repeating: 0, count: 1 << 20)
            let retry = log.withUnsafeMutableBytes { attempt(spec, btf: btf, log: $0) }
            // A refusal that does not repeat leaves nothing to explain; drop the extra program.
            if case .success(let fd) = retry { _ = Glibc.close(fd) }
            var error = BPFSyscall.failure(.progLoad, code, "'\(spec.name)'")
            let lastLines = lastLines(log)
            if !lastLines.isEmpty { error.reason += "; verifier: \(lastLines)" }
            if let btfRefusal { error.reason += "; loaded without BTF, which the kernel refused: \(btfRefusal)" }
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

    /// A loaded BTF and the records that refer to it.
    private struct BTFHandle {
        let fd: Int32
        let functionInfo: [FunctionInfo]
    }

    enum BTFOutcome {
        case success(Int32)
        case failure(String)
    }

    private static func lastLines(_ log: [UInt8]) -> String {
        let text = String(decoding: log.prefix { $0 != 0 }, as: UTF8.self)
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    /// BPF_BTF_LOAD; on a refusal, the errno and the kernel's log in words.
    static func loadBTF(_ bytes: [UInt8]) -> BTFOutcome {
        func call(_ log: UnsafeMutableRawBufferPointer?) -> BPFOutcome {
            bytes.withUnsafeBytes { raw in
                var attr = BPFAttr.zeroed()
                attr.set(BPFAttr.BTFLoad.btf, pointer: raw.baseAddress)
                attr.set(BPFAttr.BTFLoad.size, UInt32(bytes.count))
                if let log {
                    attr.set(BPFAttr.BTFLoad.logBuffer, pointer: UnsafeRawPointer(log.baseAddress))
                    attr.set(BPFAttr.BTFLoad.logSize, UInt32(log.count))
                    attr.set(BPFAttr.BTFLoad.logLevel, UInt32(1))
                }
                return BPFSyscall.attempt(.btfLoad, &attr)
            }
        }
        switch call(nil) {
        case .success(let fd):
            return .success(fd)
        case .failure(let code):
            var log = [UInt8](repeating: 0, count: 1 << 16)
            let retry = log.withUnsafeMutableBytes { call($0) }
            if case .success(let fd) = retry { _ = Glibc.close(fd) }
            let lines = lastLines(log)
            return .failure(BPFSyscall.describe(code) + (lines.isEmpty ? "" : " (\(lines))"))
        }
    }

    private static func attempt(_ spec: ProgramSpec, btf: BTFHandle?, log: UnsafeMutableRawBufferPointer?) -> BPFOutcome {
        let license = Array(spec.license.utf8) + [0]
        // {insn_off, type_id}: u32 each, insn_off in instructions.
        let records = (btf?.functionInfo ?? []).flatMap { [$0.instruction, $0.typeID] }
        return spec.instructions.withUnsafeBytes { instructions in
            license.withUnsafeBytes { licenseBytes in
                records.withUnsafeBytes { recordBytes in
                    var attr = BPFAttr.zeroed()
                    attr.set(BPFAttr.ProgLoad.progType, spec.type.rawValue)
                    attr.set(BPFAttr.ProgLoad.insnCount, UInt32(spec.instructions.count / 8))
                    attr.set(BPFAttr.ProgLoad.insns, pointer: instructions.baseAddress)
                    attr.set(BPFAttr.ProgLoad.license, pointer: licenseBytes.baseAddress)
                    attr.set(BPFAttr.ProgLoad.progName, kernelName(spec.name))
                    attr.set(BPFAttr.ProgLoad.expectedAttachType, spec.expectedAttachType?.rawValue ?? 0)
                    if let btf {
                        attr.set(BPFAttr.ProgLoad.progBTFFD, UInt32(bitPattern: btf.fd))
                        attr.set(BPFAttr.ProgLoad.funcInfoRecSize, UInt32(8))
                        attr.set(BPFAttr.ProgLoad.funcInfo, pointer: recordBytes.baseAddress)
                        attr.set(BPFAttr.ProgLoad.funcInfoCount, UInt32(btf.functionInfo.count))
                    }
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
}
