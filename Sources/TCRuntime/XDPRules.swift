import BPFCore
import BPFVM

/// What an XDP program may call, as Linux 6.18 allows it (`xdp_func_proto`; the ids measured by
/// loading a call to each in an XDP program on this machine's kernel). The 6.18.44 build here
/// refuses `bpf_xdp_adjust_meta` (54) to XDP, which an earlier 6.18 build allowed: the kernel the
/// project runs on decides. The embedded backend loads
/// XDP programs through the path analysis (`XDPContextRules`) and never runs them, so the helpers
/// only XDP offers are declared, not implemented: a call to one loads as on the kernel.
enum XDPRules {
    /// The helpers an XDP program may call.
    static let helpers: Set<Int32> = [
        1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 23, 25, 28, 35, 37, 42, 44, 51, 55, 65, 69, 80, 84, 85,
        86, 87, 88, 89, 93, 94, 99, 100, 105, 106, 109, 110, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130,
        131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 163, 164, 165,
        169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 188, 189, 190, 191, 194, 195, 196, 197, 198, 199,
        200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211,
    ]

    /// Names of the helpers only XDP offers (`enum bpf_func_id`), for messages and the disassembler.
    static let xdpOnlyNames: [Int32: String] = [
        44: "xdp_adjust_head", 51: "redirect_map", 54: "xdp_adjust_meta", 65: "xdp_adjust_tail",
        188: "xdp_get_buff_len", 189: "xdp_load_bytes", 190: "xdp_store_bytes",
    ]

    /// `tc`'s table cut to the XDP set, with the XDP helpers it lacks declared. The kfuncs the
    /// kernel refuses to XDP (the skb dynptrs) are left out, so a call to one is refused as the
    /// kernel refuses it.
    static func table(from tc: HelperTable) -> HelperTable {
        let allowed = EmbeddedKfunc.allCases.filter { !EmbeddedKfunc.refusedToXDP.contains($0.name) }
        let kfuncs = Set(allowed.map(KfuncTable.helperID))
        var table = tc.keeping(helpers.union(kfuncs))
        for id in helpers where !table.contains(id) { table.declare(id, name: xdpOnlyNames[id] ?? "") }
        // XDP's own kfuncs, declared as its helpers are (tc has no implementation of it).
        table.declare(KfuncTable.helperID(.xdpPullData), name: EmbeddedKfunc.xdpPullData.name)
        table.declare(KfuncTable.helperID(.dynptrFromXDP), name: EmbeddedKfunc.dynptrFromXDP.name)
        return table
    }
}
