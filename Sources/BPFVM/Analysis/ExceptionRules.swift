import BPFCore

/// The verifier's rules for `bpf_throw(cookie)` (Linux 6.18): the call ends the path as an exit
/// does, but from any frame, so what must be given back at the program's end must be given
/// back there — in the kernel's order (`check_resource_leak` with the prefix "bpf_throw"):
/// references, then irq flags, the RCU read-side region, preemption (a spin lock was refused at the call already:
/// no call is allowed while one is held). A callback (of a helper, or the exception callback
/// itself) may not throw, whatever path reaches it; the exception callback takes one number.
enum ExceptionRules {
    static let throwHelper = KfuncTable.helperID(.throwException)

    static func isThrow(_ op: Operation?) -> Bool {
        op == .call(.helper(throwHelper))
    }

    /// At a `bpf_throw` reached on a path: the cookie is a number, nothing is left held.
    static func checkThrow(at index: Int, _ state: PathState) throws(VMError) {
        let cookie = state.registers[1]
        if cookie.kind == .notInit { throw VMError(instruction: index, "R1 !read_ok", errno: .EACCES) }
        if cookie.isKnownPointer { throw VMError(instruction: index, "R1 is not a scalar") }
        if let leaked = state.references.first {
            throw VMError(instruction: index, "\(HelperReferenceRules.unreleased(leaked)); bpf_throw would lead to reference leak")
        }
        try SectionRules.checkOpen(state, at: index, prefix: "bpf_throw")
    }

    /// Whole-program rules, before any path: the exception callback's signature (EINVAL, as
    /// `do_check_common`), no call of it, and no throw in code a callback runs (EINVAL, as the kernel's stack
    /// depth walk finds it, by instruction and the index of the function holding it).
    static func check(_ program: VerifiedProgram, globals: [Int: GlobalFunction]) throws(VMError) {
        if let start = program.exceptionCallback, let callback = globals[start] {
            // Verified as any global function first (`btf_prepare_func_args`).
            guard callback.returnsScalar else {
                throw VMError(instruction: start, "Global function \(callback.name)() doesn't return scalar. Only those are supported.")
            }
            guard callback.arguments == [.scalar] else {
                throw VMError(instruction: start, "exception cb only supports single integer argument")
            }
            for (i, op) in program.operations.enumerated() {
                guard case .call(.local)? = op, ControlFlowCheck.calledFunctions(program, at: i) == [start] else { continue }
                throw VMError(instruction: i, "insn \(i) cannot call exception cb directly")
            }
        }
        var callbacks: [Int] = program.exceptionCallback.map { [$0] } ?? []
        for (i, op) in program.operations.enumerated() {
            if case .loadImm64(_, .function, _)? = op, let target = program.immediates[i] { callbacks.append(Int(target)) }
        }
        var seen: Set<Int> = []
        var work = callbacks
        while let start = work.popLast() {
            guard seen.insert(start).inserted, let f = program.functionStarts.firstIndex(of: start) else { continue }
            for i in start ..< program.end(ofFunction: f) {
                if isThrow(program.operations[i]) {
                    throw VMError(instruction: i, "bpf_throw kfunc (insn \(i)) cannot be called from callback subprog \(f)")
                }
                if case .call(.local)? = program.operations[i] {
                    work += ControlFlowCheck.calledFunctions(program, at: i)
                }
            }
        }
    }
}
