import BPFCore
import BPFVM

/// What the tc helpers need from a map. BPFMaps' maps conform through a thin adapter; the
/// helpers never see more than this.
public protocol TCMap: AnyObject, Sendable {
    var spec: MapSpec { get }
    /// The value stored under `key` (this CPU's, for per-CPU maps), nil when absent. The memory
    /// must stay valid while a program run may still use it.
    func lookupForProgram(_ key: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer?
    /// 0 or a negative errno, with the kernel's BPF_ANY/NOEXIST/EXIST rules.
    func updateFromProgram(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: UInt64) -> Int64
    /// 0 or a negative errno.
    func deleteFromProgram(_ key: UnsafeRawBufferPointer) -> Int64
    /// The value of key 0 of an array map (global data): what `lddw` map-value references point into.
    func directValue() -> UnsafeMutableRawBufferPointer?
}

/// A BPF_MAP_TYPE_PROG_ARRAY: slots holding programs for `bpf_tail_call`.
public protocol TCProgramArray: TCMap {
    func program(at index: UInt32) -> VMProgram?
}

/// A BPF_MAP_TYPE_RINGBUF.
public protocol TCRingBuffer: TCMap {
    /// Room for a record of `size` bytes, nil when full.
    func reserve(_ size: Int) -> UnsafeMutableRawBufferPointer?
    /// Publishes (or drops) a record `reserve` returned.
    func commit(_ record: UnsafeMutableRawPointer, discard: Bool)
}

extension TCRingBuffer {
    /// bpf_ringbuf_output: reserve, copy, submit.
    func output(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let record = reserve(bytes.count) else { return false }
        if !bytes.isEmpty { record.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        commit(record.baseAddress!, discard: false)
        return true
    }
}
