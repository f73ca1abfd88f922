import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The kfunc and extern refusals of `corpus/kfunc/refused.o`, on both backends: the same errno,
/// and both errors carry the kernel's words (the kernel backend's from its verifier log).
@Suite(needsKernel)
struct KfuncRefusalTests {
    static let cases: [(program: String, errno: LinuxErrno, words: [String])] = [
        ("strong_missing", .ESRCH, ["bpf_tcx_strong_kfunc_nobody_has"]),
        ("weak_unguarded", .EINVAL, ["invalid func unknown#200200000", "insn 1 calls weak kfunc 'bpf_tcx_kfunc_nobody_has'"]),
        ("kconfig_missing", .ESRCH, ["extern 'CONFIG_TCX_NOT_A_REAL_OPTION' (strong): not resolved"]),
        ("not_for_tc", .EACCES, ["calling kernel function bpf_sock_destroy is not allowed"]),
        ("slice_unchecked", .EACCES, ["R0 invalid mem access 'rdonly_mem_or_null'"]),
        ("slice_rdwr", .EPERM, ["bpf_dynptr_slice_rdwr() is not allowed"]),
        ("iterator_leaked", .EINVAL, ["Unreleased reference"]),
        ("iterator_uninitialized", .EINVAL, ["expected an initialized iter_num as arg #0"]),
        ("iterator_twice", .EINVAL, ["expected uninitialized iter_num as arg #0"]),
        ("dynptr_uninitialized", .EINVAL, ["Expected an initialized dynptr as arg #0"]),
        ("dynptr_overwritten", .EINVAL, ["Expected an initialized dynptr as arg #0"]),
        ("slice_written", .EACCES, ["R0 cannot write into rdonly_mem"]),
        ("iterator_value_written", .EACCES, ["R0 cannot write into rdonly_mem"]),
        ("rcu_held", .EINVAL, ["BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region"]),
    ]

    /// Why `program` of a fixture object is refused on `system`, or nil when it loads.
    static func refusal(_ system: any BPFObjectSystem, _ program: String, in fixture: String = "corpus/kfunc/refused.o") throws -> TCXError? {
        let name = String(fixture.split(separator: "/").last ?? Substring(fixture))
        let object = try LoadedObject(bytes: try KernelBTFTests.bytes(fixture), name: name, system: system)
        defer { object.close() }
        do {
            let handle = try object.loadProgram(program, as: program)
            try? system.close(handle)
            return nil
        } catch {
            return error
        }
    }

    /// Each case of `fixture` refused on both backends with its errno, both errors carrying
    /// every one of its words; each program of `loading` loaded on both.
    static func expectAlike(_ cases: [(program: String, errno: LinuxErrno, words: [String])], loading: [String],
                            in fixture: String) throws {
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        for system in [engine, kernel] as [any BPFObjectSystem] {
            for (program, errno, words) in cases {
                let error = try refusal(system, program, in: fixture)
                #expect(error?.errno == errno, "\(system.backendName) \(program): \(String(describing: error))")
                for word in words {
                    #expect(error?.reason.contains(word) == true, "\(system.backendName) \(program): \(String(describing: error))")
                }
            }
            for program in loading {
                #expect(try refusal(system, program, in: fixture) == nil, "\(system.backendName) \(program)")
            }
        }
    }

    @Test func eachProgramIsRefusedAloneAsTheKernelRefusesIt() throws {
        // The object's clean program loads on both.
        try Self.expectAlike(Self.cases, loading: ["fine"], in: "corpus/kfunc/refused.o")
    }

    /// XDP programs are refused the kfuncs the kernel refuses to XDP, in its words, whether the
    /// embedded backend has the kfunc (the skb dynptrs) or not (`bpf_sk_assign_tcp_reqsk`).
    @Test func xdpProgramsAreRefusedTheKfuncsTheKernelRefusesToXDP() throws {
        let refused = [("skb_dynptr", "bpf_dynptr_from_skb"), ("skb_meta_dynptr", "bpf_dynptr_from_skb_meta"),
                       ("tcp_reqsk", "bpf_sk_assign_tcp_reqsk")]
        try Self.expectAlike(refused.map { ($0.0, .EACCES, ["calling kernel function \($0.1) is not allowed"]) },
                             loading: ["count_to_four", "string_length"], in: "verifier/xdp_kfuncs.o")
    }
}
