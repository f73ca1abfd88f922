import BPFCore

/// Which helpers a map may be passed to, checked both ways as the kernel's
/// check_map_func_compatibility does once a call's arguments have passed: a map type that
/// serves only some helpers (a prog array only bpf_tail_call, a devmap only lookups and
/// bpf_redirect_map), and a helper that serves only some map types (bpf_redirect_map only
/// device, CPU and AF_XDP maps). A mismatch is EINVAL: "cannot pass map_type 16 into func
/// bpf_map_lookup_elem#1".
enum MapFunctionCompatibility {
    /// Every helper that takes a map: the argument register that carries it, and its name.
    static let mapArgument: [Int32: (register: Int, name: String)] = [
        1: (1, "map_lookup_elem"), 2: (1, "map_update_elem"), 3: (1, "map_delete_elem"), 12: (2, "tail_call"),
        22: (1, "perf_event_read"), 25: (2, "perf_event_output"), 27: (2, "get_stackid"), 33: (2, "skb_under_cgroup"),
        37: (1, "current_task_under_cgroup"), 51: (1, "redirect_map"), 52: (2, "sk_redirect_map"),
        53: (2, "sock_map_update"), 55: (1, "perf_event_read_value"), 60: (2, "msg_redirect_map"),
        70: (2, "sock_hash_update"), 71: (2, "msg_redirect_hash"), 72: (2, "sk_redirect_hash"),
        81: (1, "get_local_storage"), 82: (2, "sk_select_reuseport"), 87: (1, "map_push_elem"), 88: (1, "map_pop_elem"),
        89: (1, "map_peek_elem"), 107: (1, "sk_storage_get"), 108: (1, "sk_storage_delete"), 111: (2, "skb_output"),
        121: (2, "xdp_output"), 130: (1, "ringbuf_output"), 131: (1, "ringbuf_reserve"), 134: (1, "ringbuf_query"),
        145: (1, "inode_storage_get"), 146: (1, "inode_storage_delete"), 156: (1, "task_storage_get"),
        157: (1, "task_storage_delete"), 195: (1, "map_lookup_percpu_elem"), 198: (1, "ringbuf_reserve_dynptr"),
        209: (1, "user_ringbuf_drain"), 210: (1, "cgrp_storage_get"), 211: (1, "cgrp_storage_delete"),
    ]

    /// The helpers that change a map's elements, which a map read-only to programs refuses.
    static let writesElements: Set<Int32> = [2, 3, 87, 88]

    /// The helpers a map type serves; a type not listed serves every helper that takes a map.
    /// Map updates and deletes on a sockmap or sockhash are allowed too (may_update_sockmap:
    /// tc, socket filter and XDP programs may).
    static let helpersOfMap: [UInt32: Set<Int32>] = [
        3: [12],                                  // prog_array: tail_call
        4: [22, 25, 55, 111, 121],                // perf_event_array: perf_event_read/output, skb/xdp_output
        7: [27],                                  // stack_trace: get_stackid
        8: [33, 37],                              // cgroup_array: skb_under_cgroup, current_task_under_cgroup
        12: [1], 13: [1],                         // maps of maps: lookups only
        14: [1, 51], 25: [1, 51],                 // devmap, devmap_hash: lookup, redirect_map
        15: [1, 2, 3, 52, 53, 60, 82],            // sockmap
        16: [51],                                 // cpumap: redirect_map only
        17: [1, 51],                              // xskmap: lookup, redirect_map
        18: [1, 2, 3, 70, 71, 72, 82],            // sockhash
        19: [81], 21: [81],                       // cgroup storage: get_local_storage
        20: [82],                                 // reuseport_sockarray: sk_select_reuseport
        22: [87, 88, 89], 23: [87, 88, 89],       // queue, stack: push, pop, peek
        24: [107, 108],                           // sk_storage
        27: [130, 131, 134, 198],                 // ringbuf
        28: [145, 146],                           // inode_storage
        29: [156, 157],                           // task_storage
        30: [87, 89],                             // bloom_filter: push, peek
        31: [209],                                // user_ringbuf: user_ringbuf_drain
        32: [210, 211],                           // cgrp_storage
    ]

    /// The map types a helper serves; a helper not listed takes any map it is given.
    static let mapsOfHelper: [Int32: Set<UInt32>] = [
        12: [3],
        22: [4], 25: [4], 55: [4], 111: [4], 121: [4],
        130: [27], 131: [27], 134: [27], 198: [27],
        209: [31],
        27: [7],
        33: [8], 37: [8],
        51: [14, 25, 16, 17],
        52: [15], 53: [15], 60: [15],
        70: [18], 71: [18], 72: [18],
        81: [19, 21],
        82: [20, 15, 18],
        88: [22, 23],
        87: [22, 23, 30], 89: [22, 23, 30],
        195: [5, 6, 10],
        107: [24], 108: [24],
        145: [28], 146: [28],
        156: [29], 157: [29],
        210: [32], 211: [32],
    ]

    /// Throws the kernel's refusal when `id` may not take the map its map argument holds: a
    /// write to a map read-only to programs (EACCES, record_func_map), a tail call through
    /// anything but a prog array, a map and helper that do not serve each other (EINVAL).
    static func check(_ id: Int32, _ state: PathState, at index: Int) throws(VMError) {
        guard let argument = mapArgument[id], case .map(let shape) = state.registers[argument.register].kind else { return }
        try check(id, map: shape, at: index)
    }

    /// The same for a call whose map argument is known to be `shape`.
    static func check(_ id: Int32, map shape: MapShape, at index: Int) throws(VMError) {
        guard let argument = mapArgument[id] else { return }
        if writesElements.contains(id), !shape.programWritable {
            throw VMError(instruction: index, "write into map forbidden", errno: .EACCES)
        }
        if id == 12, shape.type != 3 { throw VMError(instruction: index, "expected prog array map for tail call") }
        let mapAllows = helpersOfMap[shape.type].map { $0.contains(id) } ?? true
        let helperAllows = mapsOfHelper[id].map { $0.contains(shape.type) } ?? true
        guard mapAllows, helperAllows else {
            throw VMError(instruction: index, "cannot pass map_type \(shape.type) into func bpf_\(argument.name)#\(id)")
        }
    }
}
