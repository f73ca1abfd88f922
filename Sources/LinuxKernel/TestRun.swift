import BPFCore
import TCX

/// BPF_PROG_TEST_RUN.
enum TestRun {
    /// Room for programs that grow the packet; a larger result is fetched again at its size.
    static let headroom = 4096

    /// With `ifindex`, a `struct __sk_buff` ctx_in with only that field set.
    static func run(_ program: Handle, packet: [UInt8], repeat count: UInt32,
                    ifindex: UInt32? = nil) throws(TCXError) -> TestRunResult {
        var capacity = packet.count + headroom
        var context = KernelStruct(size: NetworkStateABI.skBuffContextSize)
        if let ifindex { context.set(NetworkStateABI.skBuffIfindex, ifindex) }
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            var attr = BPFAttr.zeroed()
            let outcome = packet.withUnsafeBytes { input in
                context.withUnsafeMutableBytes { ctx in
                output.withUnsafeMutableBytes { out in
                    if ifindex != nil {
                        attr.set(NetworkStateABI.testRunContextSizeIn, UInt32(ctx.count))
                        attr.set(NetworkStateABI.testRunContextIn, pointer: UnsafeRawPointer(ctx.baseAddress))
                    }
                    attr.set(BPFAttr.TestRun.progFD, program.rawValue)
                    attr.set(BPFAttr.TestRun.dataSizeIn, UInt32(packet.count))
                    attr.set(BPFAttr.TestRun.dataIn, pointer: input.baseAddress)
                    attr.set(BPFAttr.TestRun.dataSizeOut, UInt32(out.count))
                    attr.set(BPFAttr.TestRun.dataOut, pointer: UnsafeRawPointer(out.baseAddress))
                    attr.set(BPFAttr.TestRun.repeatCount, count)
                    return CPUZero.run { BPFSyscall.attempt(.progTestRun, &attr) }
                }
                }
            }
            let size = Int(attr.get32(BPFAttr.TestRun.dataSizeOut))
            switch outcome {
            case .success:
                return TestRunResult(returnValue: attr.get32(BPFAttr.TestRun.retval),
                                     packetOut: Array(output.prefix(size)),
                                     durationNanoseconds: attr.get(BPFAttr.TestRun.duration))
            case .failure(.ENOSPC) where size > capacity:
                capacity = size
            case .failure(let code):
                throw BPFSyscall.failure(.progTestRun, code, "on \(program)")
            }
        }
    }
}
