/// The dynptr bpf_user_ringbuf_drain hands its callback points at the kernel's own dynptr
/// (CONST_PTR_TO_DYNPTR, "dynptr_ptr"): helpers and kfuncs may read the sample through it, but
/// a dynptr argument that makes a dynptr, releases one or (for a helper) changes it may not be
/// given it, and the pointer must be passed as it came, without an offset — the kernel's
/// check_func_arg_reg_off, check_func_arg and process_dynptr_func, in that order.
enum ConstDynptrArguments {
    static func check(_ value: AbstractValue, register: Int, creates: Bool, releases: Bool, mutates: Bool,
                      at index: Int) throws(VMError) {
        guard case .constDynptr = value.kind else { return }
        if releases, value.offset != 0 {
            throw VMError(instruction: index,
                          "R\(register) must have zero offset when passed to release func or trusted arg to kfunc")
        }
        try HelperArgumentTypes.checkUnmoved(value, register: register, at: index)
        if releases { throw VMError(instruction: index, "cannot release unowned const bpf_dynptr") }
        if creates { throw VMError(instruction: index, "Dynptr has to be an uninitialized dynptr") }
        if mutates { throw VMError(instruction: index, "cannot pass pointer to const bpf_dynptr, the helper mutates it") }
    }
}
