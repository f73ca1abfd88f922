/// One record a perf event ring delivers to its reader, as libbpf's perf_buffer hands them out:
/// a sample a program wrote with `bpf_perf_event_output`, or the count of samples the ring had
/// no room for (the kernel's PERF_RECORD_LOST).
public enum PerfEventRecord: Hashable, Sendable {
    /// The raw bytes of a sample: the program's data, then the packet bytes it asked for, then
    /// padding up to the kernel's 8-byte record alignment.
    case sample(cpu: Int, bytes: [UInt8])
    /// Samples dropped on `cpu` because its ring was full.
    case lost(cpu: Int, count: UInt64)
}

/// The layout of perf event records (uapi <linux/perf_event.h>) shared by both backends.
public enum PerfEventLayout {
    /// PERF_RECORD_LOST and PERF_RECORD_SAMPLE.
    public static let recordLost: UInt32 = 2
    public static let recordSample: UInt32 = 9
    /// struct perf_event_header: u32 type, u16 misc, u16 size.
    public static let headerSize = 8
    /// A lost record: the header, u64 id, u64 lost (no sample_id fields are asked for).
    public static let lostRecordSize = 24
    /// A PERF_SAMPLE_RAW sample: the header, u32 raw size, then the raw bytes.
    public static let sampleOverhead = 12

    /// The raw size the kernel gives `byteCount` bytes of sample data: padded so that the u32
    /// size field and the data end on an 8-byte boundary.
    public static func rawSize(_ byteCount: Int) -> Int {
        (byteCount + 4 + 7) / 8 * 8 - 4
    }
}
