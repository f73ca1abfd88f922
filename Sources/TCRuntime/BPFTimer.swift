import BPFMaps
import BPFVM
import Glibc

/// One `struct bpf_timer` of a map value, kept beside the value as the kernel keeps its
/// `bpf_hrtimer`: the value's 16 timer bytes hold nothing. Every field is guarded by
/// `TimerWheel.shared`'s lock.
final class BPFTimer: @unchecked Sendable {
    /// The map (weak: the map owns its timers) and the value the timer lives in.
    weak var map: BPFMap?
    let value: UnsafeMutableRawPointer
    /// The address of its `struct bpf_timer`, what the helpers other than init are given.
    let field: UInt
    /// CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME.
    let clock: clockid_t
    /// bpf_timer_set_callback's program (held, as the kernel holds a reference), function and
    /// the services its run had; nil until a callback is set.
    var program: VMProgram?
    var callback: UInt64 = 0
    var services: SharedServices?
    /// The maps that program uses (its loaded program's table, weak: the maps hold their timers).
    /// The callback reads and writes their memory (global data, other maps' values) directly:
    /// a run holds them, and once the loaded program and its maps are gone (a world torn down
    /// with timers armed) the callback no longer runs, where it would touch freed memory.
    weak var programMaps: ProgramMaps?
    /// When it fires, on CLOCK_MONOTONIC; nil when not armed.
    var deadline: UInt64?
    /// Whether its callback runs now (on the timer thread).
    var running = false
    /// Set when the value it lived in was overwritten or freed: it never fires again.
    var freed = false

    init(map: BPFMap, value: UnsafeMutableRawPointer, field: UInt, clock: clockid_t) {
        self.map = map
        self.value = value
        self.field = field
        self.clock = clock
    }
}

/// The timers of one map, by value address, and its initialised workqueues (`bpf_wq`, kept
/// beside the value as a timer is: WorkqueueKfuncs). Made on the first bpf_timer_init or
/// bpf_wq_init of the map and
/// told by the map when a value goes (update, delete, eviction) or the last userspace
/// reference does: the timer is cancelled and freed then, as `bpf_obj_free_fields` and
/// `map_release_uref` do in the kernel.
final class MapTimers: MapValueFields, @unchecked Sendable {
    /// Guarded by `TimerWheel.shared`'s lock.
    var byValue: [UInt: BPFTimer] = [:]
    /// The values whose `bpf_wq` was initialised. Guarded by the wheel's lock.
    var workqueues: Set<UInt> = []
    /// No userspace reference to the map is left: bpf_timer_init and set_callback answer
    /// EPERM, as the kernel's do when the map's usercnt is 0. Guarded by the wheel's lock.
    var userReleased = false

    /// The timers of `map`, made on first use.
    static func of(_ map: BPFMap) -> MapTimers? {
        map.valueFields(orMake: { MapTimers() })
    }

    func release(value: UnsafeMutableRawPointer) {
        let wheel = TimerWheel.shared
        wheel.locked {
            if let timer = byValue.removeValue(forKey: UInt(bitPattern: value)) { wheel.free(timer) }
            workqueues.remove(UInt(bitPattern: value))
        }
    }

    func releaseAll() {
        let wheel = TimerWheel.shared
        wheel.locked {
            for timer in byValue.values { wheel.free(timer) }
            byValue = [:]
            workqueues = []
            userReleased = true
        }
    }

    func userReferenceReturned() {
        TimerWheel.shared.locked { userReleased = false }
    }

    deinit {
        // The map is gone: nothing of it may fire or be found again.
        let timers = byValue.values
        TimerWheel.shared.locked {
            for timer in timers { TimerWheel.shared.forget(timer) }
        }
    }
}
