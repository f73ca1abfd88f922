import BPFCore

/// A program's exception callback (`exception_callback:NAME` on its function in BTF): nothing
/// calls it, so the linker appends it after the program's other subprograms, as libbpf does,
/// and its global-function record is marked for the verifier. What the kernel refuses before
/// verifying (`bpf_find_exception_callback_insn_off`, EINVAL) is refused here in its words.
enum ExceptionCallbacks {
    /// The subprogram (index into `subprograms`) `program` names its exception callback, nil
    /// when it names none.
    static func subprogram(of program: Function, btf: BTF?, subprograms: [RelocatedFunction],
                           fail: Failure) throws(ObjectError) -> Int? {
        guard let btf else { return nil }
        let names = btf.exceptionCallbacks(ofFunction: program.name)
        guard let name = names.first else { return nil }
        guard names.count == 1 else { throw fail(program.label, "multiple exception callback tags for main subprog") }
        guard let global = btf.isGlobalFunction(named: name) else {
            throw fail(program.label, "exception callback '\(name)' could not be found in BTF")
        }
        guard global else { throw fail(program.label, "exception callback '\(name)' must have global linkage") }
        guard let index = subprograms.firstIndex(where: { $0.function.name == name }) else {
            throw fail(program.label, "exception callback type id not found in func_info")
        }
        return index
    }

    /// Marks the global function placed where the callback's code went.
    static func mark(_ functions: inout [GlobalFunction], callback: Function?, in linked: Linker.Linked) {
        guard let callback, let placed = linked.functions.first(where: { $0.function.name == callback.name }) else { return }
        for i in functions.indices where functions[i].instruction == UInt32(placed.at) {
            functions[i].isExceptionCallback = true
        }
    }
}
