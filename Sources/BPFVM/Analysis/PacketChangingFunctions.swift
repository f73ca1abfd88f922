import BPFCore

/// The functions that may move the packet: those calling a helper that changes packet data or
/// a tail call (whose program may), and those calling such a function. A call of a global
/// function among them leaves the caller's packet pointers invalid, as the kernel's
/// `changes_pkt_data` of a subprogram does (Linux 6.13 and later); a static one is followed on
/// the path, where its helper calls invalidate them and a tail call that succeeds returns to its
/// caller with them invalid (`tailCalled`). Fresh pointers it takes after a helper and hands
/// back through the caller's stack live on after an ordinary return.
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

    /// A tail call in a static function that succeeds returns to its caller from the program it
    /// ran, which may have moved the packet: every frame's packet pointers end on that way, as
    /// Linux 6.18 follows it; the way where the call fails keeps them.
    static func tailCalled(_ state: inout PathState) {
        invalidatePacketPointers(&state)
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
