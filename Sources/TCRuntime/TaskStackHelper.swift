import BPFVM
import Glibc

/// bpf_get_task_stack (141): a task's call chain as return addresses, or with
/// BPF_F_USER_BUILD_ID as `struct bpf_stack_build_id` records. The kernel's answers hold
/// addresses no two runs share (KASLR, the caller's memory map); what is the same everywhere,
/// and so what the embedded backend keeps exact, is the refusals and the lengths. The kernel
/// stack is the kernel's call chain into a test-run: 9 frames on Linux 6.18, given here as 9
/// fixed addresses in the kernel's text range. The user stack is the calling thread's own
/// return addresses (backtrace(3); its depth is this process's, not the kernel's frame walk's),
/// each build-id record of them carrying the address alone (BPF_STACK_BUILD_ID_IP), as the
/// kernel gives when it cannot read a build id.
enum TaskStackHelper {
    static let skipMask: UInt64 = 0xff
    static let userStack: UInt64 = 1 << 8
    static let userBuildID: UInt64 = 1 << 11
    /// sizeof(struct bpf_stack_build_id).
    static let buildIDRecordSize = 32
    /// BPF_STACK_BUILD_ID_IP.
    static let buildIDStatusIP: Int32 = 2
    /// sysctl kernel.perf_event_max_stack.
    static let maxDepth = 127
    /// The kernel's call chain into a test-run (measured on Linux 6.18).
    static let kernelFrames: [UInt64] = (0..<9).map { 0xffff_ffff_8100_0000 &+ UInt64($0) &* 0x1_0040 }

    static func register(_ table: inout HelperTable) {
        table.register(141, name: "get_task_stack", taskStack)
    }

    static func taskStack(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r3))
        guard let buffer = call.memory(at: call.r2, count: size, write: true, "task stack buffer") else { return 0 }
        // Every refusal leaves the buffer zeroed; a short stack leaves its tail zeroed.
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let flags = call.r4
        guard flags & ~(skipMask | userStack | userBuildID) == 0 else { return failed(.EINVAL) }
        let user = flags & userStack != 0
        let buildID = flags & userBuildID != 0
        guard user || !buildID else { return failed(.EINVAL) }
        let element = buildID ? buildIDRecordSize : 8
        guard size % element == 0 else { return failed(.EINVAL) }
        let skip = Int(flags & skipMask)
        let wanted = min(size / element + skip, maxDepth)
        let frames = Array((user ? userFrames(limit: wanted) : kernelFrames).prefix(wanted))
        // Fewer frames than asked to skip: EFAULT, as the kernel's empty call chain is.
        guard frames.count >= skip else { return failed(.EFAULT) }
        let copied = frames.dropFirst(skip).prefix(size / element)
        for (index, address) in copied.enumerated() {
            let at = index * element
            if buildID {
                buffer.storeBytes(of: buildIDStatusIP, toByteOffset: at, as: Int32.self)
                buffer.storeBytes(of: address, toByteOffset: at + 24, as: UInt64.self)
            } else {
                buffer.storeBytes(of: address, toByteOffset: at, as: UInt64.self)
            }
        }
        return UInt64(copied.count * element)
    }

    typealias Backtrace = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int32) -> Int32

    /// glibc's backtrace(3), which the Glibc module does not export; looked up once.
    static let backtraceFunction: Backtrace? = dlsym(nil, "backtrace").map { unsafeBitCast($0, to: Backtrace.self) }

    /// This thread's return addresses, innermost first, at most `limit` of them (none when
    /// glibc has no backtrace).
    static func userFrames(limit: Int) -> [UInt64] {
        guard limit > 0, let backtrace = backtraceFunction else { return [] }
        var slots = [UnsafeMutableRawPointer?](repeating: nil, count: limit)
        let count = slots.withUnsafeMutableBufferPointer { backtrace($0.baseAddress, Int32(limit)) }
        return slots.prefix(Int(max(count, 0))).map { UInt64(UInt(bitPattern: $0)) }
    }
}
