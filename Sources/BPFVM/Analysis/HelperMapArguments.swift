import BPFCore

/// What the kernel's `check_func_arg` asks of the arguments that point into a map, beyond their
/// type: a key or value as large as the map's (ARG_PTR_TO_MAP_KEY / VALUE, sized by the map
/// argument before them), a constant string in a frozen read-only value (ARG_PTR_TO_CONST_STR),
/// and a timer where the map's value has its `bpf_timer` (ARG_PTR_TO_TIMER).
enum HelperMapArguments {
    /// The argument as the map the call names makes it (`resolve_map_arg_type`): what goes into
    /// a sockmap or sockhash is a socket, not a value.
    static func resolve(_ argument: HelperArgument, map: MapShape?, at index: Int) throws(VMError) -> HelperArgument {
        guard argument.kind == .mapValue, let map, map.type == 15 || map.type == 18 else { return argument }
        guard argument.flags.isEmpty else {
            throw VMError(instruction: index, "invalid arg_type for sockmap/sockhash")
        }
        return HelperArgument(.btfSocketCommon)
    }

    /// The bytes a key or value argument must hold, by the map the call names; nil when the map
    /// is not followed or the argument is NULL where NULL may be passed.
    static func size(_ argument: HelperArgument, map: MapShape?, _ value: AbstractValue) -> Int? {
        guard let map, value.kind != .scalar else { return nil }
        switch argument.kind {
        case .mapKey: return map.keySize
        case .mapValue: return map.valueSize
        default: return nil
        }
    }

    /// A key or value of no bytes (a queue's key) is refused: the kernel allows no empty read.
    static func checkNotEmpty(_ bytes: Int, _ value: AbstractValue, at index: Int) throws(VMError) {
        guard bytes == 0, case .stack = value.kind else { return }
        throw VMError(instruction: index, "invalid zero-sized read", errno: .EACCES)
    }

    /// ARG_PTR_TO_CONST_STR: a constant offset into a frozen read-only value, where a zero ends
    /// the string before the value does.
    static func checkConstantString(_ value: AbstractValue, register: Int, setup: PathSetup, at index: Int) throws(VMError) {
        guard case let .mapValue(size, access, false) = value.kind else { return }
        guard let key = access.fixed else {
            throw VMError(instruction: index, "R\(register) does not point to a readonly map'", errno: .EACCES)
        }
        guard let variable = value.range.constant else {
            throw VMError(instruction: index, "R\(register) is not a constant address'", errno: .EACCES)
        }
        guard let bytes = setup.fixedValues[key], variable < UInt64(size) else { return }
        let start = value.offset &+ Int(variable)
        guard start >= 0, start < bytes.count, bytes[start...].contains(0) else {
            throw VMError(instruction: index, "string is not zero-terminated", errno: .EINVAL)
        }
    }

    /// ARG_CONST_MAP_PTR after a timer (bpf_timer_init): the map whose value holds the timer, not
    /// another, however alike (EINVAL). Maps are told apart by name, unique in an object, and the
    /// inner maps of a map of maps by the lookup that gave them (map_uid).
    static func checkTimerMap(_ shape: MapShape, timerMap: MapValueAccess?, at index: Int) throws(VMError) {
        guard let timerMap, shape.name != timerMap.mapName || shape.uid != timerMap.mapUID else { return }
        throw VMError(instruction: index, "timer pointer in R1 map_uid=\(timerMap.mapUID) doesn't match map pointer in R2 map_uid=\(shape.uid)")
    }

    /// ARG_PTR_TO_TIMER: the value's `bpf_timer`, at a constant offset (EINVAL otherwise).
    static func checkTimer(_ value: AbstractValue, register: Int, at index: Int) throws(VMError) {
        guard case let .mapValue(_, access, false) = value.kind else { return }
        guard let variable = value.range.constant else {
            throw VMError(instruction: index, "R\(register) doesn't have constant offset. bpf_timer has to be at the constant offset")
        }
        guard let timer = access.timerOffset else {
            throw VMError(instruction: index, "map '\(access.mapName)' has no valid bpf_timer")
        }
        let offset = Int64(bitPattern: variable) &+ Int64(value.offset)
        if offset != Int64(timer) {
            throw VMError(instruction: index, "off \(offset) doesn't point to 'struct bpf_timer' that is at \(timer)")
        }
    }
}
