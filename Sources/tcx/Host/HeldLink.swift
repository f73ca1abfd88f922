#if canImport(Glibc)
import Glibc
#endif

/// `--hold`: the command keeps its link until SIGINT or SIGTERM, then exits and the link goes
/// with it, as a service's would. Killed outright (SIGKILL, a crash), the process's descriptors
/// close all the same, and the kernel detaches the program.
enum HeldLink {
    /// Blocks SIGINT and SIGTERM in this thread and every thread created after it, so that
    /// `waitForSignal` receives them instead of their default action. Call before opening a world.
    static func blockSignals() {
        var set = signals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGINT or SIGTERM; returns its number.
    static func waitForSignal() -> Int32 {
        fflush(nil)
        var set = signals()
        var received: Int32 = 0
        sigwait(&set, &received)
        return received
    }

    private static func signals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
