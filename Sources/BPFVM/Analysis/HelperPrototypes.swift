/// The memory arguments of helpers as the kernel's prototypes declare them: a pointer register
/// and the register holding its size (ARG_PTR_TO_MEM / ARG_PTR_TO_UNINIT_MEM with
/// ARG_CONST_SIZE or ARG_CONST_SIZE_OR_ZERO). Checked for the helpers tc programs call most.
enum HelperPrototypes {
    struct SizedMemory {
        let pointer: Int
        let size: Int
        /// The helper writes the memory (uninitialised memory is fine).
        let write: Bool
        /// ARG_CONST_SIZE_OR_ZERO.
        var zeroAllowed = false
        /// NULL may be passed instead (with a zero size).
        var nullable = false
    }

    /// The argument (numbered from 0, as the kernel's log numbers it) that must be an initialised
    /// dynptr (ARG_PTR_TO_DYNPTR): dynptr_read's source, dynptr_write's and dynptr_data's target,
    /// the record ringbuf_submit/discard_dynptr release.
    static let dynptrArgument: [Int32: Int] = [199: 0, 200: 0, 201: 2, 202: 0, 203: 0]

    static let sizedMemory: [Int32: [SizedMemory]] = [
        6: [SizedMemory(pointer: 1, size: 2, write: false)],                      // trace_printk
        9: [SizedMemory(pointer: 3, size: 4, write: false)],                      // skb_store_bytes
        16: [SizedMemory(pointer: 1, size: 2, write: true)],                      // get_current_comm
        20: [SizedMemory(pointer: 2, size: 3, write: true)],                      // skb_get_tunnel_key
        21: [SizedMemory(pointer: 2, size: 3, write: false)],                     // skb_set_tunnel_key
        25: [SizedMemory(pointer: 4, size: 5, write: false, zeroAllowed: true)],  // perf_event_output
        26: [SizedMemory(pointer: 3, size: 4, write: true)],                      // skb_load_bytes
        28: [SizedMemory(pointer: 1, size: 2, write: false, zeroAllowed: true, nullable: true),
             SizedMemory(pointer: 3, size: 4, write: false, zeroAllowed: true, nullable: true)],  // csum_diff
        29: [SizedMemory(pointer: 2, size: 3, write: true)],                      // skb_get_tunnel_opt
        30: [SizedMemory(pointer: 2, size: 3, write: false)],                     // skb_set_tunnel_opt
        68: [SizedMemory(pointer: 3, size: 4, write: true)],                      // skb_load_bytes_relative
        69: [SizedMemory(pointer: 2, size: 3, write: true)],                      // fib_lookup
        84: [SizedMemory(pointer: 2, size: 3, write: false)],                     // sk_lookup_tcp
        85: [SizedMemory(pointer: 2, size: 3, write: false)],                     // sk_lookup_udp
        99: [SizedMemory(pointer: 2, size: 3, write: false)],                     // skc_lookup_tcp
        113: [SizedMemory(pointer: 1, size: 2, write: true, zeroAllowed: true)],  // probe_read_kernel
        114: [SizedMemory(pointer: 1, size: 2, write: true, zeroAllowed: true)],  // probe_read_kernel_str
        130: [SizedMemory(pointer: 2, size: 3, write: false, zeroAllowed: true)], // ringbuf_output
        165: [SizedMemory(pointer: 1, size: 2, write: true, zeroAllowed: true)],  // snprintf
    ]
}
