import BPFCore

/// One function symbol's code: a program (in a program section) or a subprogram (in `.text`).
struct Function {
    let name: String
    let section: ELFSection
    /// First instruction, counted from the start of the section.
    let start: Int
    var instructions: [Instruction]
    /// CO-RE relocations that poisoned an instruction, by its index here: which and why.
    var poisoned: [Int: String] = [:]
    /// Kfunc calls and addresses, by instruction index here, left for the loader to resolve.
    var externs: [Int: (extern: Extern, prototype: UInt32)] = [:]

    var isSubprogram: Bool { section.name == ".text" }
    /// A program in a section of a type this project does not run: listed, never loaded.
    var isOtherType: Bool { !isSubprogram && SectionNames.kind(of: section.name) == nil }
    var label: String { "function '\(name)' in section '\(section.name)'" }
    func contains(sectionIndex i: Int) -> Bool { i >= start && i < start + instructions.count }
}

enum Functions {
    /// Every function of every code section, programs first in section order, then `.text`.
    static func collect(_ elf: ELFFile, _ symbols: SymbolTable, fail: Failure) throws(ObjectError) -> [Function] {
        var result: [Function] = []
        for section in elf.sections where section.isCode {
            // An empty code section is harmless (clang leaves an empty .text), unless a function
            // claims to live there: it would vanish from the object without a word.
            guard section.size > 0 else {
                if let symbol = symbols.defined(in: section.index).first(where: { $0.type == ELFSymbol.typeFunc }) {
                    throw fail(symbol.label, "is in \(section.label), which is empty: the function has no code")
                }
                continue
            }
            guard section.data.count % 8 == 0 else {
                throw fail(section.label, "size \(section.data.count) is not a whole number of 8-byte instructions")
            }
            let isText = section.name == ".text"
            let code = Array(section.data)
            let functions = symbols.defined(in: section.index).filter { $0.type == ELFSymbol.typeFunc }.sorted { $0.value < $1.value }
            guard !functions.isEmpty else { throw fail(section.label, "has code but no function symbol") }
            for symbol in functions {
                // libbpf refuses the whole object with ENOTSUP ("program is static and not
                // supported"); clang's hot/cold splitting leaves such "name.cold.N" parts.
                guard isText || symbol.bind != ELFSymbol.bindLocal else {
                    var error = fail(symbol.label, "static functions in program sections are not supported: make it global or move it to .text")
                    error.errno = .EOPNOTSUPP
                    throw error
                }
                guard symbol.value % 8 == 0, symbol.size % 8 == 0, symbol.size > 0,
                      let range = checkedRange(offset: symbol.value, count: symbol.size, limit: code.count) else {
                    throw fail(symbol.label, "code at \(symbol.value) of size \(symbol.size) is not whole instructions inside \(section.label)")
                }
                let instructions = stride(from: range.lowerBound, to: range.upperBound, by: 8).map { Instruction(bytes: code, at: $0) }
                result.append(Function(name: symbol.name, section: section, start: range.lowerBound / 8, instructions: instructions))
            }
        }
        return result.filter { !$0.isSubprogram } + result.filter(\.isSubprogram)
    }
}
