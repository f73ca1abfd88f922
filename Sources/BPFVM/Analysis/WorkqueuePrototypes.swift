import BPFCore

/// The workqueue kfuncs on one path, as Linux 6.18 checks them for a tc program (measured in
/// Tests/Fixtures/corpus/maps/wq_refused.c, every refusal EINVAL but the callback's): the first
/// argument is a map value's `bpf_wq` at a constant offset; `bpf_wq_init`'s map is the one that
/// value lives in. `bpf_wq_set_callback_impl` is refused (EPERM) wherever a path reaches it: its
/// callback is sleepable and a tc program is not, so the kernel never lets a tc program's
/// workqueue get a callback. Unreached calls load, as in the kernel.
enum WorkqueuePrototypes {
    static let kfuncs: Set<EmbeddedKfunc> = [.wqInit, .wqStart, .wqSetCallback]

    /// Handles `kfunc` when it is a workqueue one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        guard kfuncs.contains(kfunc) else { return false }
        let r = state.registers
        let owner = try workqueue(r[1], at: index)
        if kfunc == .wqInit { try checkMap(r[2], of: owner, at: index) }
        if kfunc == .wqSetCallback {
            throw VMError(instruction: index, "sleepable callback in a program that is not sleepable", errno: .EPERM)
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .scalar(.unknown)
        return true
    }

    /// KF_ARG_PTR_TO_WORKQUEUE: a non-NULL map value pointing at its `bpf_wq`; what it knows of
    /// the map (nil when the analysis does not follow the pointer).
    private static func workqueue(_ value: AbstractValue, at index: Int) throws(VMError) -> MapValueAccess? {
        switch value.kind {
        case .notInit:
            throw VMError(instruction: index, "R1 !read_ok", errno: .EACCES)
        case .unknown:
            return nil
        case let .mapValue(_, access, false):
            guard let variable = value.range.constant else {
                throw VMError(instruction: index, "R1 doesn't have constant offset. bpf_wq has to be at the constant offset")
            }
            guard access.valueHasBTF else {
                throw VMError(instruction: index, "map '\(access.mapName)' has to have BTF in order to use bpf_wq")
            }
            guard let field = access.workqueueOffset else {
                throw VMError(instruction: index, "map '\(access.mapName)' has no valid bpf_wq")
            }
            let offset = Int64(bitPattern: variable) &+ Int64(value.offset)
            if offset != Int64(field) {
                throw VMError(instruction: index, "off \(offset) doesn't point to 'struct bpf_wq' that is at \(field)")
            }
            return access
        default:
            throw VMError(instruction: index, "arg#0 doesn't point to a map value")
        }
    }

    /// bpf_wq_init's `p__map`: a map, the one the workqueue lives in (maps are told apart by
    /// name, unique in an object, inner maps by the lookup that gave them: map_uid).
    private static func checkMap(_ value: AbstractValue, of owner: MapValueAccess?, at index: Int) throws(VMError) {
        switch value.kind {
        case .notInit:
            throw VMError(instruction: index, "R2 !read_ok", errno: .EACCES)
        case .unknown:
            return
        case .map(let shape):
            guard let owner, shape.name != owner.mapName || shape.uid != owner.mapUID else { return }
            throw VMError(instruction: index, "workqueue pointer in R1 map_uid=\(owner.mapUID) doesn't match map pointer in R2 map_uid=\(shape.uid)")
        default:
            throw VMError(instruction: index, "pointer in R2 isn't map pointer")
        }
    }
}
