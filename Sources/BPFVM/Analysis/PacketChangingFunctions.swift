import BPFCore

/// The functions that may move the packet: those calling a helper that changes packet data or
/// a tail call (whose program may), and those calling such a function. A call of a global
/// function among them leaves the caller's packet pointers invalid, as the kernel's
/// `changes_pkt_data` of a subprogram does (Linux 6.13 and later); a static one is followed on
/// the path, where its helper calls invalidate them, and so does the return from it.
enum PacketChangingFunctions {
    /// The first slots of the functions that may change packet data.
    static func find(in program: VerifiedProgram) -> Set<Int> {
        var changes: Set<Int> = []
        var callers: [Int: Set<Int>] = [:]  // callee start → caller starts
        for (index, op) in program.operations.enumerated() {
            guard case .call(let target)? = op else { continue }
            let function = program.functionStarts[program.function(containing: index)]
            switch target {
            case .helper(let id) where PathHelpers.changesPacketData.contains(id) || id == HelperReferenceRules.tailCall
                || id == KfuncTable.helperID(.xdpPullData):
                changes.insert(function)
            case .local(let delta):
                callers[index + 1 + Int(delta), default: []].insert(function)
            default:
                break
            }
        }
        // What calls a function that changes packet data changes it too.
        var work = Array(changes)
        while let callee = work.popLast() {
            for caller in callers[callee] ?? [] where changes.insert(caller).inserted { work.append(caller) }
        }
        return changes
    }

    /// Back from a static function that may move the packet: the caller's packet pointers end,
    /// also when only a tail call (which leaves the callee's own pointers alone) could move it.
    /// Linux 6.18 refuses a packet pointer used after such a call; a tail call in the main
    /// program, which never returns to a caller, ends none.
    static func returned(from function: Int, changers: Set<Int>, _ state: inout PathState) {
        if changers.contains(function) { invalidatePacketPointers(&state) }
    }

    /// The kernel's clear_all_pkt_pointers: to a privileged loader they become numbers, and
    /// so do the slices of a packet's dynptr.
    static func invalidatePacketPointers(_ state: inout PathState) {
        DynptrSlices.packetMoved(&state)
        state.updateAll { value in
            if value.kind == .packet || value.kind == .packetEnd || value.kind == .packetMeta { value = .scalar(.unknown) }
        }
    }
}
