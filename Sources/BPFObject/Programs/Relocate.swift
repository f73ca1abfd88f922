import BPFCore

/// A call or function address inside a function, pointing at an instruction of `.text`.
struct CodeReference {
    /// Instruction index inside the referring function.
    let at: Int
    /// Instruction index inside `.text`.
    let target: Int
}

/// A function with its map and global-data references rewritten to the kernel's index
/// forms, and its references to `.text` collected for linking.
struct RelocatedFunction {
    var function: Function
    var references: [CodeReference] = []
}

/// What relocations against undefined symbols need: the externs, and the `.kconfig` map.
struct ExternContext {
    var externs: [String: Extern] = [:]
    var kconfig: KconfigValues?
    var kconfigMap: Int?
}

enum Relocate {
    static let ldImm64: UInt8 = 0x18
    static let call: UInt8 = 0x85

    static func apply(_ function: Function, relocations: [UInt64: ELFRelocation], maps: MapCatalog,
                      text: ELFSection?, externs: ExternContext = ExternContext(),
                      fail: Failure) throws(ObjectError) -> RelocatedFunction {
        var out = RelocatedFunction(function: function)
        var code = function.instructions
        var i = 0
        while i < code.count {
            let insn = code[i]
            // The second half of a 64-bit load is data, never an instruction of its own.
            defer { i += insn.opcode == ldImm64 ? 2 : 1 }
            let byteOffset = UInt64(function.start + i) * 8
            let location = "\(function.label), instruction \(i)"
            if insn.opcode == ldImm64, relocations[byteOffset + 8] != nil {
                throw fail(location, "relocation on the second half of ld_imm64")
            }
            if let relocation = relocations[byteOffset] {
                if relocation.symbol.section == ELFSymbol.undefined, insn.opcode == call || insn.opcode == ldImm64 {
                    guard insn.opcode == call || i + 1 < code.count else { throw fail(location, "ld_imm64 is cut off by the end of the function") }
                    try relocateExtern(&code, at: i, relocation.symbol, externs, into: &out, location, fail)
                } else if insn.opcode == call && insn.src == CallSource.local.rawValue {
                    guard relocation.type == ELFRelocation.bpf64_32 else {
                        throw fail(location, "call has relocation type \(relocation.type), not R_BPF_64_32")
                    }
                    out.references.append(CodeReference(at: i, target: try callTarget(insn, relocation.symbol, text: text, location, fail)))
                } else if insn.opcode == ldImm64 {
                    guard relocation.type == ELFRelocation.bpf64_64 else {
                        throw fail(location, "ld_imm64 has relocation type \(relocation.type), not R_BPF_64_64")
                    }
                    guard i + 1 < code.count else { throw fail(location, "ld_imm64 is cut off by the end of the function") }
                    if let target = try addressTarget(insn, relocation.symbol, text: text, location, fail) {
                        out.references.append(CodeReference(at: i, target: target))
                    } else {
                        var (first, second) = (code[i], code[i + 1])
                        try rewriteMapLoad(&first, &second, relocation.symbol, maps: maps, location, fail)
                        (code[i], code[i + 1]) = (first, second)
                    }
                } else {
                    throw fail(location, "relocation against \(relocation.symbol.label) on an instruction that is neither a call nor ld_imm64 (opcode 0x\(String(insn.opcode, radix: 16)))")
                }
            } else if insn.opcode == call && insn.src == CallSource.local.rawValue {
                // Calls between static functions of one section carry no relocation.
                guard function.isSubprogram else {
                    throw fail(location, "call without relocation leaves .text; subprograms must be in .text")
                }
                out.references.append(CodeReference(at: i, target: function.start + i + Int(insn.imm) + 1))
            } else if insn.opcode == call && insn.src == CallSource.kfunc.rawValue {
                throw fail(location, "kfunc calls are not supported")
            } else if insn.opcode == ldImm64 && insn.src != PseudoSource.none.rawValue && insn.src != PseudoSource.function.rawValue {
                // Map and variable references exist only through relocations; a bare one would be misread.
                throw fail(location, "ld_imm64 with pseudo source \(insn.src) and no relocation")
            } else if insn.opcode == ldImm64 && insn.src == PseudoSource.function.rawValue {
                guard function.isSubprogram, i + 1 < code.count else {
                    throw fail(location, "function address without relocation leaves .text")
                }
                out.references.append(CodeReference(at: i, target: function.start + i + Int(insn.imm) + 1))
            }
        }
        out.function.instructions = code
        return out
    }

    /// A kfunc call or address is kept by name for the loader to resolve (`Function.externs`);
    /// a kconfig variable becomes an address in the `.kconfig` map.
    private static func relocateExtern(_ code: inout [Instruction], at i: Int, _ symbol: ELFSymbol, _ context: ExternContext,
                                       into out: inout RelocatedFunction, _ location: String, _ fail: Failure) throws(ObjectError) {
        guard let extern = context.externs[symbol.name] else {
            throw fail(location, "\(symbol.label) is undefined and is not an extern the loader knows")
        }
        switch extern.kind {
        case .kfunc(let prototype):
            out.function.externs[i] = (extern, prototype)
        case .ksymVariable(let type):
            // Resolved with the kfuncs (KsymVariables): an address, so only an lddw may name it.
            guard code[i].opcode == ldImm64 else { throw fail(location, "call to \(symbol.label), a __ksym variable") }
            out.function.externs[i] = (extern, type)
        case .kconfig:
            guard code[i].opcode == ldImm64 else { throw fail(location, "call to \(symbol.label), a __kconfig variable") }
            if let kconfig = context.kconfig, kconfig.unresolved.contains(extern.name) {
                var error = fail(location, "extern '\(extern.name)' (strong): not resolved")
                error.errno = .ESRCH
                throw error
            }
            guard let map = context.kconfigMap, let offset = context.kconfig?.offsets[extern.name] else {
                throw fail(location, "\(symbol.label) has no place in the .kconfig map")
            }
            code[i].src = PseudoSource.mapIndexValue.rawValue
            code[i].imm = Int32(map)
            code[i + 1].imm = Int32(offset)
        }
    }

    private static func requireText(_ symbol: ELFSymbol, text: ELFSection?, _ what: String, _ location: String, _ fail: Failure) throws(ObjectError) {
        if symbol.section == ELFSymbol.undefined {
            throw fail(location, "\(what) \(symbol.label) is undefined")
        }
        guard let text, Int(symbol.section) == text.index else {
            throw fail(location, "\(what) \(symbol.label) is not in .text; subprograms must be in .text")
        }
    }

    /// A call's target: the symbol plus the instruction's immediate, plus one (pc-relative).
    private static func callTarget(_ insn: Instruction, _ symbol: ELFSymbol, text: ELFSection?, _ location: String, _ fail: Failure) throws(ObjectError) -> Int {
        try requireText(symbol, text: text, "call to", location, fail)
        guard symbol.value % 8 == 0, let base = Int(exactly: symbol.value / 8) else {
            throw fail(location, "call to \(symbol.label) at offset \(symbol.value), not an instruction boundary")
        }
        return base + Int(insn.imm) + 1
    }

    /// A function address (bpf_loop callbacks): nil when the symbol is not code.
    private static func addressTarget(_ insn: Instruction, _ symbol: ELFSymbol, text: ELFSection?, _ location: String, _ fail: Failure) throws(ObjectError) -> Int? {
        if symbol.section == ELFSymbol.undefined {
            throw fail(location, "\(symbol.label) is undefined")
        }
        let isCode = symbol.type == ELFSymbol.typeFunc || (text.map { Int(symbol.section) == $0.index } ?? false)
        guard isCode else { return nil }
        try requireText(symbol, text: text, "address of", location, fail)
        guard symbol.value <= UInt64(UInt32.max) else { throw fail(location, "address of \(symbol.label) is out of range") }
        let bytes = Int64(symbol.value) + Int64(insn.imm)
        guard bytes >= 0, bytes % 8 == 0 else {
            throw fail(location, "address of \(symbol.label) + \(insn.imm) is not an instruction boundary")
        }
        return Int(bytes / 8)
    }

    /// Maps become `src=5 imm=index`; global data `src=6 imm=index`, second imm = offset.
    private static func rewriteMapLoad(_ first: inout Instruction, _ second: inout Instruction, _ symbol: ELFSymbol,
                                       maps: MapCatalog, _ location: String, _ fail: Failure) throws(ObjectError) {
        let section = Int(symbol.section)
        if symbol.section < ELFSymbol.reserved, let offsets = maps.definitions[section] {
            guard let index = offsets[symbol.value] else {
                throw fail(location, "\(symbol.label) at offset \(symbol.value) is not the start of a map definition")
            }
            first.src = PseudoSource.mapIndex.rawValue
            first.imm = Int32(index)
            second.imm = 0
        } else if symbol.section < ELFSymbol.reserved, let index = maps.globalData[section] {
            let offset = symbol.value <= UInt64(UInt32.max) ? Int64(symbol.value) + Int64(first.imm) : -1
            guard offset >= 0, offset < Int64(maps.specs[index].valueSize) else {
                throw fail(location, "\(symbol.label) + \(first.imm) lies outside global data map '\(maps.specs[index].name)'")
            }
            first.src = PseudoSource.mapIndexValue.rawValue
            first.imm = Int32(index)
            second.imm = Int32(truncatingIfNeeded: offset)
        } else {
            throw fail(location, "ld_imm64 of \(symbol.label), which is not a map or global data")
        }
    }
}
