import BPFCore

/// Whose kfuncs an object's calls are resolved against.
public enum KfuncTarget: Sendable, Hashable {
    /// The running kernel's: by name in its vmlinux BTF, the call's imm the function's BTF id.
    case kernel
    /// The embedded backend's (`EmbeddedKfunc`), by name.
    case embedded
}

/// A kfunc call or address in a loaded program, and what it was resolved to.
public struct KfuncSite: Hashable, Sendable {
    /// Instruction index in `ObjectProgram.instructions`.
    public var instruction: Int
    public var name: String
    public var isWeak: Bool
    /// A call, or an `lddw` of its address (`bpf_ksym_exists`).
    public var isCall: Bool
    /// False when a weak kfunc is absent and its call was poisoned (its address is 0).
    public var resolved: Bool
}

/// Resolves kfunc externs by name as libbpf does: a strong one that is missing, or whose
/// prototype differs from the kernel's, fails (the program, here); a weak one is then absent,
/// its calls poisoned (`call 2002000000 + extern index`, refused only when reached) and its
/// address 0, so `bpf_ksym_exists`-guarded code loads.
struct KfuncResolver {
    static let poisonBase: Int32 = 2_002_000_000
    /// libbpf's BPF_PSEUDO_BTF_ID: an `lddw` of a kernel symbol by BTF id.
    static let pseudoBTFID: UInt8 = 3

    enum Resolution {
        case found(Int32)
        /// An untyped kernel variable's address, loaded as a plain number (no BTF id).
        case address(UInt64)
        case absent
        case refused(ObjectError)
        /// Resolved as libbpf resolves it, but the kernel's verifier refuses the program for it:
        /// that refusal comes after every extern of the program resolved, so another extern's
        /// resolution failure is the one reported.
        case refusedAtLoad(ObjectError)
        /// A sleepable kfunc: found, and refused by the verifier where a path reaches its call
        /// (`SleepableKfuncs`); this is the marker the call becomes.
        case sleepable(Int32)
    }

    let target: KfuncTarget
    let local: BTF?
    let fail: Failure
    /// Index of each extern in libbpf's sorted extern list (kconfig ones first), for poisons.
    let externIndex: [String: Int]
    /// By program type and name: what the kernel refuses depends on the type.
    private var cache: [String: Resolution] = [:]
    var kernel: CORETargets.Loaded?
    private var embedded: CORETargets.Loaded?

    init(target: KfuncTarget, local: BTF?, externs: [String: Extern], fail: Failure) {
        self.target = target
        self.local = local
        self.fail = fail
        let kconfig = externs.values.filter { if case .kconfig = $0.kind { true } else { false } }.count
        let ksyms = externs.values.filter { if case .kconfig = $0.kind { false } else { true } }
            .map(\.name).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var index: [String: Int] = [:]
        for (i, name) in ksyms.enumerated() { index[name] = kconfig + i }
        externIndex = index
    }

    mutating func resolve(_ extern: Extern, prototype: UInt32, type: ProgramType) -> Resolution {
        let key = "\(type.rawValue) \(extern.name)"
        if let known = cache[key] { return known }
        let result = lookUp(extern, prototype: prototype, type: type)
        cache[key] = result
        return result
    }

    private mutating func lookUp(_ extern: Extern, prototype: UInt32, type: ProgramType) -> Resolution {
        if case .ksymVariable(let variableType) = extern.kind { return lookUpVariable(extern, type: variableType) }
        let name = CORENames.essential(extern.name)
        switch target {
        case .embedded:
            if let kfunc = EmbeddedKfunc.named(name) {
                // libbpf's prototype check, against the target BTF the embedded backend relocates
                // for (vmlinux when readable), when that BTF knows the function.
                if let target = embeddedTarget(), let function = target.function(named: name),
                   let mismatch = incompatible(extern, name: name, prototype: prototype, target: target, function: function) {
                    return mismatch
                }
                return .found(kfunc.rawValue)
            }
            if let marker = SleepableKfuncs.call(named: name) { return .sleepable(marker) }
            if DeviceBoundKfuncs.names.contains(name) {
                var error = fail("kfunc '\(name)'", DeviceBoundKfuncs.refusal)
                error.errno = .EINVAL
                return .refusedAtLoad(error)
            }
            // A kfunc the kernel has but refuses to this type: libbpf finds it, weak or not, and
            // the verifier refuses the program.
            if EmbeddedKfunc.refused(to: type).contains(name) {
                var error = fail("kfunc '\(name)'", "calling kernel function \(name) is not allowed")
                error.errno = .EACCES
                return .refused(error)
            }
            if extern.isWeak { return .absent }
            var error = fail("kfunc '\(name)'", "extern (func ksym) '\(extern.name)': not found among the embedded backend's kfuncs (see docs/tc-runtime.md)")
            error.errno = .ESRCH
            return .refused(error)
        case .kernel:
            if kernel == nil {
                do { kernel = try CORETargets.load(.kernel, fail: fail) } catch { return extern.isWeak ? .absent : .refused(error) }
            }
            guard let kernel else { return .absent }
            let candidates = (kernel.index[name] ?? []).filter { kernel.btf.type($0)?.kind == .function }
            guard let id = candidates.first, let function = kernel.btf.type(id), let identifier = Int32(exactly: id) else {
                if extern.isWeak { return .absent }
                var error = fail("kfunc '\(name)'", "extern (func ksym) '\(extern.name)': not found in kernel or module BTFs")
                error.errno = .ESRCH
                return .refused(error)
            }
            if let mismatch = incompatible(extern, name: name, prototype: prototype, target: kernel, function: function) {
                return mismatch
            }
            return .found(identifier)
        }
    }

    /// libbpf's check that the extern's prototype matches the target's function (EINVAL), or
    /// nil when it does or the object has no BTF to compare; a weak extern is then absent.
    private func incompatible(_ extern: Extern, name: String, prototype: UInt32, target: CORETargets.Loaded,
                              function: BTFType) -> Resolution? {
        guard let local else { return nil }
        var compat = CORECompat(local: local, target: target.btf, budget: COREBudget())
        guard !((try? compat.typesCompatible(prototype, function.sizeOrType)) ?? false) else { return nil }
        if extern.isWeak { return .absent }
        return .refused(fail("kfunc '\(name)'", "extern (func ksym) '\(extern.name)': func_proto [\(prototype)] incompatible with vmlinux [\(function.sizeOrType)]"))
    }

    /// The BTF the embedded backend relocates against (`TCX_CORE_BTF`), loaded once; nil when
    /// it cannot be read, which leaves the prototypes unchecked.
    mutating func embeddedTarget() -> CORETargets.Loaded? {
        if embedded == nil { embedded = try? CORETargets.load(COREBTFSource.fromEnvironment(), fail: fail) }
        return embedded
    }

    /// Rewrites the program's kfunc calls and addresses; the sites, or the first refusal.
    mutating func apply(to code: inout [Instruction], uses: [(at: Int, extern: Extern, prototype: UInt32)],
                        type: ProgramType) -> Result<[KfuncSite], ObjectError> {
        var sites: [KfuncSite] = []
        var atLoad: ObjectError?
        for use in uses.sorted(by: { $0.at < $1.at }) {
            let isCall = code[use.at].opcode == Relocate.call
            let resolution = resolve(use.extern, prototype: use.prototype, type: type)
            switch resolution {
            case .refused(let error):
                return .failure(error)
            case .refusedAtLoad(let error):
                if atLoad == nil { atLoad = error }
            case .sleepable(let marker):
                if isCall {
                    code[use.at].src = 0
                    code[use.at].dst = 0
                    code[use.at].offset = 0
                    code[use.at].imm = marker
                } else if use.at + 1 < code.count {
                    // Its address, taken without a call: a number the program may test.
                    code[use.at].src = 0
                    code[use.at].imm = marker
                    code[use.at + 1].imm = 0
                }
            case .address(let address):
                guard !isCall, use.at + 1 < code.count else { return .failure(fail("\(use.extern.name)", "call to a __ksym variable")) }
                code[use.at].src = 0
                code[use.at].imm = Int32(truncatingIfNeeded: address)
                code[use.at + 1].imm = Int32(truncatingIfNeeded: address >> 32)
            case .found(let id):
                if isCall {
                    code[use.at].src = CallSource.kfunc.rawValue
                    code[use.at].imm = id
                    code[use.at].offset = 0
                } else if use.at + 1 < code.count {
                    // The kernel types a kfunc's address as read-only memory; the embedded
                    // backend loads the (non-zero) number it knows the kfunc by.
                    code[use.at].src = target == .kernel ? Self.pseudoBTFID : 0
                    code[use.at].imm = id
                    code[use.at + 1].imm = 0
                }
            case .absent:
                if isCall {
                    code[use.at].src = 0
                    code[use.at].dst = 0
                    code[use.at].offset = 0
                    code[use.at].imm = Self.poisonBase &+ Int32(externIndex[use.extern.name] ?? 0)
                } else if use.at + 1 < code.count {
                    code[use.at].src = 0
                    code[use.at].imm = 0
                    code[use.at + 1].imm = 0
                }
            }
            let found = if case .found = resolution { true } else { false }
            sites.append(KfuncSite(instruction: use.at, name: use.extern.name, isWeak: use.extern.isWeak, isCall: isCall, resolved: found))
        }
        if let atLoad { return .failure(atLoad) }
        return .success(sites)
    }
}

extension CORETargets.Loaded {
    /// The first function of this name in the target BTF.
    func function(named name: String) -> BTFType? {
        (index[name] ?? []).lazy.compactMap { self.btf.type($0) }.first { $0.kind == .function }
    }
}
