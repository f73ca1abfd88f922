import BPFCore
import BPFObject
import TCX

/// One clang-compiled object loaded into a world: its maps are created once, and every program
/// loaded from it shares them (and its global data), as libbpf does for one object.
public final class LoadedObject {
    public let spec: ObjectSpec
    public let maps: [Handle]
    private let system: any BPFObjectSystem
    /// Programs loaded so far, by function name: the object holds one handle to each, and
    /// loading one again gives another handle to the same program, as libbpf's
    /// `bpf_program__fd` does (the script contract's "same id").
    private var programs: [String: Handle] = [:]

    /// Parses `bytes` and creates the object's maps in `system` (global data filled, `.rodata`
    /// frozen). On a failure every map created so far is closed again.
    public init(bytes: [UInt8], name: String, system: any BPFObjectSystem) throws(TCXError) {
        do {
            // The kernel backend always relocates for the running kernel.
            let core: COREBTFSource? = system.backendName == "kernel" ? .kernel : nil
            spec = try ObjectSpec.parse(bytes: bytes, name: name, coreBTF: core,
                                        kfuncs: system.backendName == "kernel" ? .kernel : .embedded)
        } catch {
            throw TCXError(error.errno, "\(error)")
        }
        self.system = system
        var created: [Handle] = []
        do throws(TCXError) {
            for map in spec.maps {
                let handle = try system.createMap(Self.withLibbpfDefaults(map, possibleCPUs: system.possibleCPUCount))
                created.append(handle)
                if map.flags & MapFlags.rdonlyProg != 0 && map.initialValue != nil {
                    try system.freeze(map: handle)
                }
            }
        } catch {
            for handle in created { try? system.close(handle) }
            throw error
        }
        maps = created
        do throws(TCXError) {
            try fillMapsOfMaps()
            try fillProgramArrays()
        } catch {
            close()
            throw error
        }
    }

    /// Loads the programs that prog arrays hold statically and puts them in their slots, as
    /// libbpf does when it loads the object; a program that cannot load fails the object.
    private func fillProgramArrays() throws(TCXError) {
        for entry in spec.staticPrograms {
            let program = try loadProgram(entry.program, as: entry.program)
            defer { try? system.close(program) }
            guard entry.map < maps.count else { throw TCXError(.EINVAL, "prog array \(entry.map) of \(spec.name) does not exist") }
            do throws(TCXError) {
                try system.update(map: maps[entry.map], key: Self.littleEndian(entry.slot),
                                  value: Self.littleEndian(program.rawValue), flags: 0)
            } catch {
                throw TCXError(error.errno, "\(spec.name): putting \(entry.program) in slot \(entry.slot) of \(spec.maps[entry.map].name): \(error.reason)")
            }
        }
    }

    /// Puts the maps that maps of maps hold statically in their slots, once every map exists,
    /// as libbpf does when it creates the object's maps.
    private func fillMapsOfMaps() throws(TCXError) {
        for entry in spec.staticMaps {
            guard entry.map < maps.count, entry.inner < maps.count else {
                throw TCXError(.EINVAL, "map of maps \(entry.map) of \(spec.name) does not exist")
            }
            do throws(TCXError) {
                try system.update(map: maps[entry.map], key: Self.littleEndian(entry.slot),
                                  value: Self.littleEndian(maps[entry.inner].rawValue), flags: 0)
            } catch {
                throw TCXError(error.errno, "\(spec.name): putting map \(spec.maps[entry.inner].name) in slot \(entry.slot) of \(spec.maps[entry.map].name): \(error.reason)")
            }
        }
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0 ..< 4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Loads the program in `section` (a section name or a function name) under `name`, once:
    /// later calls return a new handle to the same program.
    public func loadProgram(_ section: String, as name: String) throws(TCXError) -> Handle {
        guard let program = spec.program(named: section) else {
            let known = spec.programs.map { "\($0.section)/\($0.name)" }.joined(separator: ", ")
            throw TCXError(.ENOENT, "\(spec.name) has no program or section '\(section)' (it has: \(known))")
        }
        if let refusal = program.refusal { throw TCXError(refusal.errno, refusal.description) }
        if let loaded = programs[program.name] { return try system.duplicate(loaded) }
        var programSpec = ProgramSpec(name: name, type: program.type, expectedAttachType: program.expectedAttachType,
                                      instructions: program.instructions, license: program.license,
                                      btf: program.functionInfo.isEmpty ? nil : spec.btf,
                                      functionInfo: program.functionInfo)
        programSpec.globalFunctions = program.globalFunctions
        programSpec.functionReturnsScalar = program.functionReturnsScalar
        let handle: Handle
        do {
            handle = try system.loadProgram(programSpec, maps: maps)
        } catch {
            throw Self.explainingPoisons(error, program)
        }
        do throws(TCXError) {
            programs[program.name] = try system.duplicate(handle)
        } catch {
            try? system.close(handle)
            throw error
        }
        return handle
    }

    /// A refusal of a CO-RE poisoned instruction ("invalid func unknown#195896080") names the
    /// relocations behind it, and one of a poisoned kfunc call (unknown#2002000000 + n) the
    /// kfunc, as libbpf rewrites the verifier log.
    static func explainingPoisons(_ error: TCXError, _ program: ObjectProgram) -> TCXError {
        let absent = program.kfuncs.filter { $0.isCall && !$0.resolved }
        if !absent.isEmpty, error.reason.contains("unknown#2002") {
            var explained = error
            explained.reason += "; " + absent.map { "insn \($0.instruction) calls weak kfunc '\($0.name)', which was not found" }
                .joined(separator: "; ")
            return explained
        }
        guard !program.corePoisons.isEmpty, error.reason.contains("unknown#195896080") else { return error }
        var explained = error
        let notes = program.corePoisons.sorted { $0.key < $1.key }.map { "insn \($0.key) poisoned by \($0.value)" }
        explained.reason += "; " + notes.joined(separator: "; ")
        return explained
    }

    /// Closes the object's map and program handles (programs keep their maps alive; handles
    /// given out stay open).
    public func close() {
        for handle in maps { try? system.close(handle) }
        for handle in programs.values { try? system.close(handle) }
        programs = [:]
    }
}
