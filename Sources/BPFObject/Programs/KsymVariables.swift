import BPFCore
#if canImport(Glibc)
import Glibc
#endif

/// `__ksym` variables, resolved as libbpf resolves them. A typed one (`extern const int
/// bpf_prog_active __ksym;`, `extern const struct rq runqueues __ksym;`) is found by name among the
/// kernel BTF's variables and loaded as `lddw rX, <BTF id>` with BPF_PSEUDO_BTF_ID, its type
/// checked against the kernel's first (EINVAL when they differ). An untyped one (`extern const
/// void x __ksym;`) is its address from `/proc/kallsyms`, a plain number. A weak one the kernel
/// lacks is 0, so code that `bpf_ksym_exists` guards still loads.
///
/// The verifier then needs the variable's address, which the kernel finds only when built with
/// CONFIG_KALLSYMS_ALL. Linux 6.18 on this machine is not: every typed variable is ENOENT
/// ("ldimm64 failed to find the address for kernel symbol"), and /proc/kallsyms lists no
/// variables, so an untyped one is ESRCH at load. The embedded backend has no kernel variables
/// or symbol addresses and answers as that kernel does: a typed variable its target BTF knows is
/// ENOENT, one it does not know ESRCH (or 0 when weak), an untyped one ESRCH (or 0 when weak).
/// Each refusal is that program's alone: the object and its other programs load. The ENOENT is the
/// verifier's, so a program that also uses an extern libbpf cannot resolve gets libbpf's refusal.
extension KfuncResolver {
    mutating func lookUpVariable(_ extern: Extern, type: UInt32) -> Resolution {
        let name = CORENames.essential(extern.name)
        let untyped = local.map { Self.isVoid(type, in: $0) } ?? true
        switch target {
        case .embedded:
            if extern.isWeak, untyped || embeddedTarget()?.variable(named: name) == nil { return .absent }
            if untyped {
                var error = fail("ksym '\(name)'", "extern (ksym) '\(extern.name)': no kernel symbol addresses in the embedded backend (as in /proc/kallsyms of a kernel without CONFIG_KALLSYMS_ALL)")
                error.errno = .ESRCH
                return .refused(error)
            }
            guard embeddedTarget()?.variable(named: name) != nil else {
                var error = fail("ksym '\(name)'", "extern (var ksym) '\(extern.name)': not found in kernel BTF")
                error.errno = .ESRCH
                return .refused(error)
            }
            var error = fail("ksym '\(name)'", "ldimm64 failed to find the address for kernel symbol '\(name)' (the embedded backend has no kernel variables; docs/tc-runtime.md)")
            error.errno = .ENOENT
            return .refusedAtLoad(error)
        case .kernel:
            if untyped {
                if let address = Self.kallsymsAddress(name) { return .address(address) }
                if extern.isWeak { return .absent }
                var error = fail("ksym '\(name)'", "extern (ksym) '\(extern.name)': not found in /proc/kallsyms (or its addresses are hidden)")
                error.errno = .ESRCH
                return .refused(error)
            }
            if kernel == nil {
                do { kernel = try CORETargets.load(.kernel, fail: fail) } catch { return extern.isWeak ? .absent : .refused(error) }
            }
            guard let kernel else { return .absent }
            guard let id = kernel.variableID(named: name), let variable = kernel.btf.type(id), let identifier = Int32(exactly: id) else {
                if extern.isWeak { return .absent }
                var error = fail("ksym '\(name)'", "extern (var ksym) '\(extern.name)': not found in kernel BTF")
                error.errno = .ESRCH
                return .refused(error)
            }
            if let local {
                var compat = CORECompat(local: local, target: kernel.btf, budget: COREBudget())
                if !((try? compat.typesCompatible(type, variable.sizeOrType)) ?? false) {
                    return .refused(fail("ksym '\(name)'", "extern (var ksym) '\(extern.name)': incompatible types, expected [\(type)], but kernel has [\(variable.sizeOrType)]"))
                }
            }
            return .found(identifier)
        }
    }

    /// Whether `type` is `void` once qualifiers and typedefs are skipped (libbpf's untyped ksym).
    static func isVoid(_ type: UInt32, in btf: BTF) -> Bool {
        var current = type
        for _ in 0 ..< 32 {
            if current == 0 { return true }
            guard let t = btf.type(current) else { return false }
            switch t.kind {
            case .typedef, .volatile, .const, .restrict, .typeTag: current = t.sizeOrType
            default: return false
            }
        }
        return false
    }

    /// The address `/proc/kallsyms` gives `name`; nil when absent or hidden (shown as 0).
    static func kallsymsAddress(_ name: String) -> UInt64? {
        guard let file = fopen("/proc/kallsyms", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard fields.count >= 3, fields[2] == name, let address = UInt64(fields[0], radix: 16) else { continue }
            return address == 0 ? nil : address
        }
        return nil
    }
}

extension CORETargets.Loaded {
    /// The id of the first variable of this name in the target BTF.
    func variableID(named name: String) -> UInt32? {
        (index[name] ?? []).first { self.btf.type($0)?.kind == .variable }
    }

    func variable(named name: String) -> BTFType? { variableID(named: name).flatMap { btf.type($0) } }
}
