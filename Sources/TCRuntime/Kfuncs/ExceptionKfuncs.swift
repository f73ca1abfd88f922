import BPFCore
import BPFVM

/// `bpf_throw(cookie)` (kernel/bpf/helpers.c): the program ends at once, from whatever frame
/// it is in, and returns what its exception callback returns for the cookie — or, with none,
/// the cookie itself (the kernel's default callback is `r0 = r1; exit`; a tc run keeps the low
/// 32 bits). What the program did before the throw stays done.
///
/// The sections of `bpf_preempt_disable`/`enable` and `bpf_local_irq_save`/`restore` only
/// matter to the verifier (`SectionRules`), which checks them on every path: one run at a time
/// has nothing to be preempted by. The irq flag holds 0 here (the kernel's holds the saved
/// flags; the program may not read it).
enum ExceptionKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.throwException, throwException)
        table.register(.preemptDisable) { _ in 0 }
        table.register(.preemptEnable) { _ in 0 }
        table.register(.localIrqSave) { call in
            if let flag = call.memory(at: call.r1, count: 8, write: true, "irq flag") {
                flag.storeBytes(of: 0, as: UInt64.self)
            }
            return 0
        }
        table.register(.localIrqRestore) { _ in 0 }
    }

    static func throwException(_ call: inout HelperCall) -> UInt64 {
        call.exitProgram = true
        guard let callback = call.exceptionCallback else { return call.r1 }
        // A fault inside the callback is the run's (the interpreter rethrows it).
        return call.callFunction(UInt64(callback), call.r1) ?? 0
    }
}
