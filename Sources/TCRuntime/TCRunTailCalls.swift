import BPFMaps
import BPFVM

/// bpf_tail_call's lookup for a run: the program in a program array slot, unretained. The run
/// enters its `RunGrace` period before it reads a slot and leaves it when it ends (`finish`),
/// so a program replaced or deleted meanwhile lives until then, as under the kernel's RCU.
/// Nothing here retains: the maps are held by the programs, the registry holds them weakly,
/// and a retain of a weakly held object goes through its side table (a third of a tail call).
extension TCRun {
    func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? {
        // The running program's maps borrowed (it holds them); others from the registry.
        if let held = unretainedMap(map) {
            guard held._withUnsafeGuaranteedRef({ ObjectIdentifier(type(of: $0)) == ObjectIdentifier(ProgramArrayMap.self) })
            else { return nil }
            return Unmanaged<ProgramArrayMap>.fromOpaque(held.toOpaque())._withUnsafeGuaranteedRef { slot(of: $0, index) }
        }
        guard let other = MapRegistry.shared.map(map) as? ProgramArrayMap else { return nil }
        return slot(of: other, index)
    }

    @inline(__always)
    private func slot(of array: ProgramArrayMap, _ index: UInt32) -> Unmanaged<VMProgram>? {
        // An empty slot is answered without entering: the run saw it before any fill.
        guard array.isFilled(index) else { return nil }
        if !inGrace {
            inGrace = true
            grace.enter()
        }
        return array.borrowedEntry(at: index)?._withUnsafeGuaranteedRef { entry in
            let object = entry.object
            // The engine's object first: a type compared, where a protocol cast is a lookup.
            if object._withUnsafeGuaranteedRef({ ObjectIdentifier(type(of: $0)) == ObjectIdentifier(TCProgram.self) }) {
                return Unmanaged<TCProgram>.fromOpaque(object.toOpaque())._withUnsafeGuaranteedRef {
                    Unmanaged.passUnretained($0.program)
                }
            }
            let held = entry.reference.program
            if let target = held as? any TailCallTarget { return Unmanaged.passUnretained(target.tailCallProgram) }
            return (held as? VMProgram).map(Unmanaged.passUnretained)
        }
    }

    /// The run has ended: the programs it entered may be released.
    func leaveGrace() {
        inGrace = false
        grace.leave()
    }
}
