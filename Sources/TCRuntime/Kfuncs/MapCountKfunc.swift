import BPFCore
import BPFMaps
import BPFVM

/// `bpf_map_sum_elem_count(map)` (kernel/bpf/map_iter.c): the sum of the map's per-CPU element
/// counters, which Linux 6.18 keeps for hash maps (preallocated or not) and no other type here:
/// a hash map's element count, 0 for the rest (measured: corpus/exceptions/map_count.tcx).
enum MapCountKfunc {
    static func register(_ table: inout KfuncTable) {
        table.register(.mapSumElemCount) { call in
            guard let map = MapHelpers.map(&call) else { return 0 }
            return UInt64((map as? HashMap)?.entryCount ?? 0)
        }
    }
}
