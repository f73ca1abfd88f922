import BPFCore

/// The steps of `ObjectSpec.parse`, in order.
struct ObjectParser {
    let bytes: [UInt8]
    let file: String
    let fail: Failure
    let coreBTF: COREBTFSource
    let kfuncs: KfuncTarget
    /// Read from the machine only when the object has `__kconfig` externs.
    let kconfig: KconfigSource?

    init(bytes: [UInt8], file: String, coreBTF: COREBTFSource, kfuncs: KfuncTarget = .embedded, kconfig: KconfigSource? = nil) {
        self.bytes = bytes
        self.file = file
        self.coreBTF = coreBTF
        self.kfuncs = kfuncs
        self.kconfig = kconfig
        fail = Failure(file: file)
    }

    func parse() throws(ObjectError) -> ObjectSpec {
        let elf = try ELFFile(bytes, fail: fail)
        let symbols = try SymbolTable(elf, fail: fail)
        let btf = try loadBTF(elf)
        let objectName = GlobalData.objectName(fromFile: file)

        var maps = MapCatalog()
        try LegacyMaps.collect(elf, symbols, into: &maps, fail: fail)
        try BTFMaps.collect(elf, symbols, btf: btf, into: &maps, fail: fail)
        try GlobalData.collect(elf, btf: btf, objectName: objectName, into: &maps, fail: fail)
        let externs = try collectExterns(symbols, btf: btf, objectName: objectName, into: &maps)

        let license = readLicense(elf)
        var functions = try Functions.collect(elf, symbols, fail: fail)
        try applyCORE(elf, btf: btf, to: &functions)
        let text = elf.section(named: ".text")
        var relocated: [RelocatedFunction] = []
        // A function whose references cannot be relocated fails alone, and only when loaded.
        var unrelocated: [Int: ObjectError] = [:]   // by first instruction, for .text
        var refused: [String: ProgramRefusal] = [:] // by program name
        var relocationsBySection: [Int: [UInt64: ELFRelocation]] = [:]
        for function in functions where !function.isOtherType {
            let index = function.section.index
            if relocationsBySection[index] == nil {
                let table = try elf.relocations(for: function.section, symbols: symbols, fail: fail)
                try checkPlacement(table, section: function.section, functions: functions)
                relocationsBySection[index] = table
            }
            do {
                relocated.append(try Relocate.apply(function, relocations: relocationsBySection[index] ?? [:],
                                                    maps: maps, text: text, externs: externs, fail: fail))
            } catch {
                relocated.append(RelocatedFunction(function: function))
                if function.isSubprogram { unrelocated[function.start] = error }
                else { refused[function.name] = ProgramRefusal(error.errno, error) }
            }
        }

        let kernelBTF = btf.flatMap { KernelBTF.fixed($0, elf: elf, symbols: symbols, kconfigOffsets: externs.kconfig?.offsets ?? [:]) }
        GlobalDataFields.type(&maps, elf: elf, kernelBTF: kernelBTF)
        let records = btf.flatMap { btf in
            elf.section(named: ".BTF.ext").flatMap { KernelBTF.functionRecords($0, btf: btf) }
        } ?? [:]
        let linker = Linker(subprograms: relocated.filter(\.function.isSubprogram), unrelocated: unrelocated)
        var programs: [ObjectProgram] = []
        var resolver = KfuncResolver(target: kfuncs, local: btf, externs: externs.externs, fail: fail)
        for program in relocated where !program.function.isSubprogram {
            guard let kind = SectionNames.kind(of: program.function.section.name) else { continue }
            var object = ObjectProgram(name: program.function.name, section: program.function.section.name,
                                       type: kind.type, expectedAttachType: kind.expectedAttachType,
                                       instructions: [], license: license)
            if let refusal = refused[program.function.name] {
                object.refusal = refusal
            } else {
                do {
                    let callback = try ExceptionCallbacks.subprogram(of: program.function, btf: btf,
                                                                     subprograms: linker.subprograms, fail: fail)
                    var linked = try linker.link(program, alsoPlacing: callback, fail: fail)
                    let uses = linked.functions.flatMap { function, at in
                        function.externs.map { (at: at + $0.key, extern: $0.value.extern, prototype: $0.value.prototype) }
                    }
                    if !uses.isEmpty {
                        object.kfuncs = try resolver.apply(to: &linked.code, uses: uses, type: kind.type).get()
                    }
                    object.instructions = Instruction.encode(linked.code)
                    if kernelBTF != nil { object.functionInfo = functionInfo(linked, records: records) }
                    if let btf {
                        object.globalFunctions = btf.globalFunctions(object.functionInfo)
                        ExceptionCallbacks.mark(&object.globalFunctions, callback: callback.map { linker.subprograms[$0].function },
                                                in: linked)
                        object.functionReturnsScalar = btf.scalarReturns(object.functionInfo)
                    }
                    for (function, at) in linked.functions {
                        for (index, note) in function.poisoned { object.corePoisons[at + index] = note }
                    }
                } catch {
                    object.refusal = ProgramRefusal(error.errno, error)
                }
            }
            programs.append(object)
        }
        for function in functions where function.isOtherType {
            var object = ObjectProgram(name: function.name, section: function.section.name,
                                       type: ProgramType(rawValue: 0), expectedAttachType: nil,
                                       instructions: [], license: license)
            object.refusal = ProgramRefusal(.EINVAL, fail(function.label, SectionNames.refusal(of: function.section.name)))
            programs.append(object)
        }
        guard !programs.isEmpty else { throw fail(nil, "no programs: no function in a program section") }
        // Maps with key/value types are created with the object's BTF, as libbpf does.
        let typedMaps = maps.specs.map { map in
            var map = map
            if map.btfValueTypeID != 0 { map.btf = kernelBTF }
            // The inner template too (libbpf's fill_map_from_def): the kernel puts a map in a
            // map of maps only when their special fields match (bpf_map_meta_equal).
            if map.innerMap?.btfValueTypeID ?? 0 != 0 { map.innerMap?.btf = kernelBTF }
            return map
        }
        var spec = ObjectSpec(name: objectName, programs: programs, maps: typedMaps, license: license)
        spec.btf = kernelBTF
        spec.staticPrograms = maps.staticPrograms
        spec.staticMaps = maps.staticMaps
        return spec
    }

    /// The object's externs; the `.kconfig` map, after global data as libbpf orders it, when
    /// some are kconfig variables.
    private func collectExterns(_ symbols: SymbolTable, btf: BTF?, objectName: String,
                                into maps: inout MapCatalog) throws(ObjectError) -> ExternContext {
        var context = ExternContext(externs: try Externs.collect(symbols, btf: btf, fail: fail))
        let variables = context.externs.values.filter { if case .kconfig = $0.kind { true } else { false } }
        guard !variables.isEmpty else { return context }
        let values = try KconfigValues(variables, source: kconfig ?? .system(), fail: fail)
        let spec = MapSpec(name: GlobalData.internalName(object: objectName, section: Externs.kconfigSection), type: .array,
                           keySize: 4, valueSize: UInt32(values.bytes.count), maxEntries: 1,
                           flags: MapFlags.rdonlyProg | MapFlags.mmapable, initialValue: values.bytes)
        context.kconfigMap = maps.specs.count
        maps.specs.append(spec)
        context.kconfig = values
        return context
    }

    /// One record per function of the linked program, at its place in the linked code; empty
    /// when a function has no record (the program then loads without function info).
    private func functionInfo(_ linked: Linker.Linked, records: [String: [UInt64: UInt32]]) -> [FunctionInfo] {
        var result: [FunctionInfo] = []
        for (function, at) in linked.functions {
            guard let typeID = records[function.section.name]?[UInt64(function.start) * 8],
                  let instruction = UInt32(exactly: at) else { return [] }
            result.append(FunctionInfo(instruction: instruction, typeID: typeID))
        }
        return result
    }

    /// Every relocation of a code section must sit on an instruction of one of its functions.
    private func checkPlacement(_ table: [UInt64: ELFRelocation], section: ELFSection, functions: [Function]) throws(ObjectError) {
        let mine = functions.filter { $0.section.index == section.index }
        for offset in table.keys {
            let inside = offset % 8 == 0 && mine.contains { f in
                Int(exactly: offset / 8).map { f.contains(sectionIndex: $0) } ?? false
            }
            guard inside else {
                throw fail(section.label, "relocation at offset \(offset) is not on an instruction of a function")
            }
        }
    }

    /// CO-RE relocations rewrite field offsets and constants for the target BTF; the target is
    /// read only when the object has some.
    private func applyCORE(_ elf: ELFFile, btf: BTF?, to functions: inout [Function]) throws(ObjectError) {
        guard let ext = elf.section(named: ".BTF.ext") else { return }
        let records = try CORERecords.read(ext, btf: btf, fail: fail)
        guard !records.isEmpty, let btf else { return }
        let target = try CORETargets.load(coreBTF, fail: fail)
        var applier = COREApplier(local: btf, target: target.btf, index: target.index)
        try applier.apply(records, to: &functions, fail: fail)
    }

    /// The type information is needed for `.maps`; without `.maps` a broken `.BTF` is ignored, as libbpf does.
    private func loadBTF(_ elf: ELFFile) throws(ObjectError) -> BTF? {
        guard let section = elf.section(named: ".BTF") else { return nil }
        do {
            return try BTF(section, fail: fail)
        } catch {
            if elf.section(named: ".maps") != nil { throw error }
            return nil
        }
    }

    /// Up to the first NUL and at most 63 bytes, as libbpf keeps it.
    private func readLicense(_ elf: ELFFile) -> String {
        guard let section = elf.section(named: "license") else { return "" }
        let text = section.data.prefix { $0 != 0 }.prefix(63)
        return String(decoding: text, as: UTF8.self)
    }
}
