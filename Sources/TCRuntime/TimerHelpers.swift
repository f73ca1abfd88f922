import BPFCore
import BPFMaps
import BPFVM
import Glibc

/// bpf_timer_init, bpf_timer_set_callback, bpf_timer_start, bpf_timer_cancel, with the kernel's
/// return codes (kernel/bpf/helpers.c, checked on Linux 6.18 by timer.tcx and BPFTimerTests).
/// Callbacks run later on the timer thread (`TimerWheel`).
enum TimerHelpers {
    /// BPF_F_TIMER_ABS and BPF_F_TIMER_CPU_PIN, the flags bpf_timer_start knows.
    static let absolute: UInt64 = 1
    static let cpuPin: UInt64 = 2

    static func register(_ table: inout HelperTable) {
        table.register(169, name: "timer_init", initialize)
        table.register(170, name: "timer_set_callback", setCallback)
        table.register(171, name: "timer_start", start)
        table.register(172, name: "timer_cancel", cancel)
    }

    /// The map value the `struct bpf_timer` at `address` lives in, checked against `map`: the
    /// kernel verifier lets only a timer field of a map value through, and the callback will
    /// be given the whole value, so anything else is a fault here.
    static func value(_ call: inout HelperCall, timer address: UInt64, of map: BPFMap) -> UnsafeMutableRawPointer? {
        FieldValue.value(&call, field: address, at: map.spec.timerOffset, of: map, "bpf_timer")
    }

    /// The timer at r1; nil (EINVAL) when it was never initialised or was freed.
    static func timer(_ call: inout HelperCall) -> BPFTimer? {
        guard call.r1 & 7 == 0, call.memory(at: call.r1, count: 16, write: true, "bpf_timer") != nil else { return nil }
        let field = UInt(call.r1)
        return TimerWheel.shared.locked { TimerWheel.shared.timer(at: field) }
    }

    static func initialize(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapRegistry.shared.map(call.r2) else {
            call.failure = "timer_init: r2 is not a map"
            return 0
        }
        guard let value = value(&call, timer: call.r1, of: map) else { return 0 }
        let flags = call.r3
        let clock = clockid_t(flags & 15)
        guard flags < 16, clock == CLOCK_MONOTONIC || clock == CLOCK_REALTIME || clock == CLOCK_BOOTTIME else {
            return failed(.EINVAL)
        }
        guard let table = MapTimers.of(map) else { return failed(.EINVAL) }
        let field = UInt(call.r1)
        return TimerWheel.shared.locked { () -> UInt64 in
            let key = UInt(bitPattern: value)
            if let existing = table.byValue[key], !existing.freed { return failed(.EBUSY) }
            if table.userReleased { return failed(.EPERM) }
            let timer = BPFTimer(map: map, value: value, field: field, clock: clock)
            table.byValue[key] = timer
            TimerWheel.shared.add(timer)
            return 0
        }
    }

    static func setCallback(_ call: inout HelperCall) -> UInt64 {
        guard call.isFunction(call.r2), let program = call.callingProgram else {
            call.failure = "timer_set_callback: \(call.r2) is not a function of the program"
            return 0
        }
        guard let timer = timer(&call) else { return call.failure == nil ? failed(.EINVAL) : 0 }
        let services = TCRun.from(call).shared
        let programMaps = TCRun.from(call).programMaps
        let callback = call.r2
        return TimerWheel.shared.locked { () -> UInt64 in
            guard !timer.freed else { return failed(.EINVAL) }
            if let map = timer.map, let table = map.existingValueFields as? MapTimers, table.userReleased {
                return failed(.EPERM)
            }
            timer.program = program
            timer.callback = callback
            timer.services = services
            timer.programMaps = programMaps
            return 0
        }
    }

    static func start(_ call: inout HelperCall) -> UInt64 {
        let flags = call.r3
        guard flags & ~(absolute | cpuPin) == 0 else { return failed(.EINVAL) }
        guard let timer = timer(&call) else { return call.failure == nil ? failed(.EINVAL) : 0 }
        let nanoseconds = call.r2
        return TimerWheel.shared.locked { () -> UInt64 in
            guard !timer.freed, timer.program != nil else { return failed(.EINVAL) }
            let now = TCServices.clock(CLOCK_MONOTONIC)
            let deadline: UInt64
            if flags & absolute != 0 {
                // An absolute time on the timer's clock, moved onto CLOCK_MONOTONIC.
                let clockNow = TCServices.clock(timer.clock)
                deadline = nanoseconds >= clockNow ? now &+ (nanoseconds - clockNow) : now
            } else {
                let (sum, overflow) = now.addingReportingOverflow(nanoseconds)
                deadline = overflow ? .max : sum
            }
            TimerWheel.shared.arm(timer, at: deadline)
            return 0
        }
    }

    static func cancel(_ call: inout HelperCall) -> UInt64 {
        guard let timer = timer(&call) else { return call.failure == nil ? failed(.EINVAL) : 0 }
        let own = TimerWheel.shared.locked { timer.running && TimerWheel.shared.onTimerThread }
        // Cancelling the timer whose callback is running here would wait for itself.
        if own { return failed(LinuxErrno(rawValue: 35)) }  // EDEADLK
        TimerWheel.shared.waitWhileRunning(timer)
        return TimerWheel.shared.locked { () -> UInt64 in
            // Linux 6.18 drops the callback (and its program) on every cancel: a start
            // before the next bpf_timer_set_callback is EINVAL.
            let wasArmed = TimerWheel.shared.disarm(timer)
            timer.program = nil
            timer.services = nil
            return wasArmed ? 1 : 0
        }
    }
}
