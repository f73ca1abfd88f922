import BPFCore
import BPFObject
import TCX

/// One clang-compiled object loaded into a world: its maps are created once, and every program
/// loaded from it shares them (and its global data), as libbpf does for one object.
public final class LoadedObject {
    public let spec: ObjectSpec
    public let maps: [Handle]
    private let system: any BPFObjectSystem

    /// Parses `bytes` and creates the object's maps in `system` (global data filled, `.rodata`
    /// frozen). On a failure every map created so far is closed again.
    public init(bytes: [UInt8], name: String, system: any BPFObjectSystem) throws(TCXError) {
        do {
            // The kernel backend always relocates for the running kernel.
            let core: COREBTFSource? = system.backendName == "kernel" ? .kernel : nil
            spec = try ObjectSpec.parse(bytes: bytes, name: name, coreBTF: core)
        } catch {
            throw TCXError(error.errno, "\(error)")
        }
        self.system = system
        var created: [Handle] = []
        do throws(TCXError) {
            for map in spec.maps {
                let handle = try system.createMap(map)
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
    }

    /// Loads the program in `section` (a section name or a function name) under `name`.
    public func loadProgram(_ section: String, as name: String) throws(TCXError) -> Handle {
        guard let program = spec.program(named: section) else {
            let known = spec.programs.map { "\($0.section)/\($0.name)" }.joined(separator: ", ")
            throw TCXError(.ENOENT, "\(spec.name) has no program or section '\(section)' (it has: \(known))")
        }
        var programSpec = ProgramSpec(name: name, type: program.type, expectedAttachType: program.expectedAttachType,
                                      instructions: program.instructions, license: program.license,
                                      btf: program.functionInfo.isEmpty ? nil : spec.btf,
                                      functionInfo: program.functionInfo)
        programSpec.globalFunctions = program.globalFunctions
        do {
            return try system.loadProgram(programSpec, maps: maps)
        } catch {
            throw Self.explainingPoisons(error, program)
        }
    }

    /// A refusal of a CO-RE poisoned instruction ("invalid func unknown#195896080") names the
    /// relocations behind it, as libbpf rewrites the verifier log.
    static func explainingPoisons(_ error: TCXError, _ program: ObjectProgram) -> TCXError {
        guard !program.corePoisons.isEmpty, error.reason.contains("unknown#195896080") else { return error }
        var explained = error
        let notes = program.corePoisons.sorted { $0.key < $1.key }.map { "insn \($0.key) poisoned by \($0.value)" }
        explained.reason += "; " + notes.joined(separator: "; ")
        return explained
    }

    /// Closes the object's map handles (programs keep their maps alive).
    public func close() {
        for handle in maps { try? system.close(handle) }
    }
}
