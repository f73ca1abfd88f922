import BPFCore

/// An undefined symbol of the object that the loader fills in, as libbpf collects it: a
/// `__kconfig` variable (its value comes from the kernel's configuration) or a `__ksym`
/// function (a kfunc, found by name in the kernel's BTF).
struct Extern {
    enum Kind {
        /// A variable of `.kconfig`, with how its bytes are written.
        case kconfig(KconfigType, size: Int, alignment: Int)
        /// A function of `.ksyms`; `prototype` is its BTF_KIND_FUNC_PROTO in the object's BTF.
        case kfunc(prototype: UInt32)
        /// A variable of `.ksyms` (a kernel variable's address); `type` is its type in the
        /// object's BTF, `void` (0) for an untyped one (`extern const void x __ksym`).
        case ksymVariable(type: UInt32)
    }

    let name: String
    let isWeak: Bool
    let kind: Kind
}

/// The kconfig value kinds libbpf knows (`enum kcfg_type`).
enum KconfigType: Equatable {
    case bool, char, tristate, characterArray
    case int(signed: Bool)
}

enum Externs {
    static let ksymsSection = ".ksyms"
    static let kconfigSection = ".kconfig"

    /// Every undefined global or weak symbol the code may refer to, by symbol name, typed
    /// by the `.ksyms` and `.kconfig` data sections of the object's BTF.
    static func collect(_ symbols: SymbolTable, btf: BTF?, fail: Failure) throws(ObjectError) -> [String: Extern] {
        let undefined = symbols.symbols.filter {
            $0.index != 0 && $0.section == ELFSymbol.undefined && !$0.name.isEmpty && $0.bind != ELFSymbol.bindLocal
        }
        guard !undefined.isEmpty else { return [:] }
        var result: [String: Extern] = [:]
        for symbol in undefined {
            guard let btf else { throw fail(symbol.label, "is an extern, which needs the object's BTF to be typed (build with -g)") }
            let isWeak = symbol.bind == ELFSymbol.bindWeak
            result[symbol.name] = Extern(name: symbol.name, isWeak: isWeak,
                                         kind: try kind(of: symbol, btf: btf, fail: fail))
        }
        return result
    }

    private static func kind(of symbol: ELFSymbol, btf: BTF, fail: Failure) throws(ObjectError) -> Extern.Kind {
        for sectionName in [kconfigSection, ksymsSection] {
            guard let section = btf.dataSection(named: sectionName) else { continue }
            for entry in section.sectionEntries {
                guard let type = btf.type(entry.type), type.name == symbol.name else { continue }
                if sectionName == ksymsSection {
                    if type.kind == .function { return .kfunc(prototype: type.sizeOrType) }
                    return .ksymVariable(type: type.sizeOrType)
                }
                guard type.kind == .variable else { throw fail(symbol.label, "is in .kconfig but is not a variable") }
                guard let kconfig = kconfigType(type.sizeOrType, btf: btf),
                      let size = btf.size(of: type.sizeOrType), size > 0 else {
                    var error = fail(symbol.label, "extern (kcfg) '\(symbol.name)': type is unsupported")
                    error.errno = .EOPNOTSUPP
                    throw error
                }
                return .kconfig(kconfig, size: Int(size), alignment: alignment(of: type.sizeOrType, btf: btf))
            }
        }
        throw fail(symbol.label, "is an extern in neither .kconfig nor .ksyms of the object's BTF")
    }

    /// libbpf's find_kcfg_type: 1-byte bools, chars (any 1-byte int), power-of-two ints up to
    /// 8 bytes, `enum libbpf_tristate`, and non-empty arrays of chars.
    private static func kconfigType(_ id: UInt32, btf: BTF) -> KconfigType? {
        guard let type = btf.skippingQualifiers(id) else { return nil }
        switch type.kind {
        case .int:
            let boolEncoding: UInt32 = 4
            let size = type.sizeOrType
            if (type.intData >> 24) & boolEncoding != 0 { return size == 1 ? .bool : nil }
            if size == 1 { return .char }
            guard size == 2 || size == 4 || size == 8 else { return nil }
            return .int(signed: type.intIsSigned)
        case .enumeration, .enum64:
            guard type.name == "libbpf_tristate", type.kind == .enum64 || type.sizeOrType == 4 else { return nil }
            return .tristate
        case .array:
            guard type.arrayCount > 0, kconfigType(type.arrayElement, btf: btf) == .char else { return nil }
            return .characterArray
        default:
            return nil
        }
    }

    /// The alignment `__alignof__` gives the types kconfig externs can have.
    private static func alignment(of id: UInt32, btf: BTF) -> Int {
        guard let type = btf.skippingQualifiers(id) else { return 1 }
        switch type.kind {
        case .int, .enumeration, .enum64: return max(1, min(Int(type.sizeOrType), 8))
        case .array: return alignment(of: type.arrayElement, btf: btf)
        default: return 8
        }
    }
}
