/// Where bpf_snprintf_btf's text goes: the kernel prints each piece with `vsnprintf` into what
/// is left of the caller's buffer and keeps counting past its end, so the buffer holds the
/// text's first `capacity - 1` bytes and a NUL, and the count is the whole text's length.
/// Only the kept bytes are stored, however long the text would be.
struct BTFShowText {
    /// The caller's buffer size (at least 1: the verifier refuses a size of 0).
    let capacity: Int
    private(set) var kept: [UInt8] = []
    /// Bytes the whole text has so far.
    private(set) var length = 0
    /// Whether any piece was printed: a text that never starts leaves the buffer untouched.
    private(set) var started = false

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    mutating func append(_ bytes: [UInt8]) {
        let room = capacity - 1 - kept.count
        if room > 0 { kept.append(contentsOf: bytes.prefix(room)) }
        length += bytes.count
        started = true
    }

    mutating func append(_ text: String) {
        append(Array(text.utf8))
    }

    /// What the kernel leaves in the buffer: the kept text and its NUL.
    var written: [UInt8] { started ? kept + [0] : [] }
}
