import BPFCore
import BPFMaps
import BPFVM

/// The helper table of a tc (SCHED_CLS) program: every helper this runtime implements.
public enum TCHelpers {
    /// The table, built once: every program shares its storage (a copy of a `HelperTable` is a
    /// reference until someone changes it), so a loaded program costs its own code, not ~200
    /// helpers.
    public static func table() -> HelperTable { shared }

    private static let shared: HelperTable = build()
    private static let socketFilter: HelperTable = shared.keeping(SocketFilterRules.helpers)
    private static let xdp: HelperTable = XDPRules.table(from: shared)
    private static let action: HelperTable = ActionRules.table(from: shared)

    private static func build() -> HelperTable {
        var table = HelperTable()
        MapHelpers.register(&table)
        QueueStackHelpers.register(&table)
        PacketHelpers.register(&table)
        ChecksumHelpers.register(&table)
        ResizeHelpers.register(&table)
        AdjustRoomHelper.register(&table)
        VLANHelpers.register(&table)
        SKBHelpers.register(&table)
        SystemHelpers.register(&table)
        TracePrintk.register(&table)
        TunnelHelpers.register(&table)
        SKBStateHelpers.register(&table)
        TaskHelpers.register(&table)
        ClockHelpers.register(&table)
        StringHelpers.register(&table)
        PrintfHelpers.register(&table)
        ProbeReadHelpers.register(&table)
        MapIterationHelpers.register(&table)
        DynptrHelpers.register(&table)
        ChangeProtoHelper.register(&table)
        SocketCastHelpers.register(&table)
        SignalHelpers.register(&table)
        TaskStackHelper.register(&table)
        FIBHelpers.register(&table)
        SocketHelpers.register(&table)
        SyncookieHelpers.register(&table)
        RawSyncookieHelpers.register(&table)
        PerfEventOutputHelper.register(&table)
        PerfEventReadHelpers.register(&table)
        PerCPUPointerHelpers.register(&table)
        SnprintfBTFHelper.register(&table)
        SKStorageHelpers.register(&table)
        CgroupArrayHelpers.register(&table)
        TimerHelpers.register(&table)
        UserRingbufHelper.register(&table)
        TaskStorageHelpers.register(&table)
        CgroupStorageHelpers.register(&table)
        TaskRegistersHelper.register(&table)
        FindVMAHelper.register(&table)
        KfuncHelpers.register(&table)
        return table
    }

    /// Verifier options for a tc program: the helpers, the maps, and `data`/`data_end`/`data_meta`
    /// as packet pointers (`data_meta` equals `data`: tc packets carry no metadata here). A
    /// socket filter gets its own context rules and helpers, and no packet pointers; an XDP
    /// program its `xdp_md` rules and helpers, with `data_meta` a metadata pointer.
    /// `expectedAttachType`: what the loader declared (`xdp/devmap` programs read more of their
    /// context than other XDP programs).
    public static func options(maps: [BPFMap] = [], globalFunctions: [GlobalFunction] = [],
                               type: ProgramType = .schedCLS, expectedAttachType: AttachType? = nil) -> VerifierOptions {
        var options = VerifierOptions()
        // A global function's context parameter is this type's own context struct only.
        let contextName = type == .xdp ? "xdp_md" : "__sk_buff"
        for function in globalFunctions {
            options.globalFunctions[Int(function.instruction)] = function.resolved(contextName: contextName)
        }
        options.resolver = MapBinding(maps: maps)
        options.refusesUndefinedImmediates = true
        // SCHED_ACT shares SCHED_CLS's verifier rules (the kernel's tc_cls_act_verifier_ops).
        if type == .xdp {
            // XDP never runs here, but loads through the path analysis with its own context
            // (`struct xdp_md`): data, data_end and data_meta give packet pointers, as on the kernel.
            options.helpers = xdp
            options.allowsPacketLoads = false  // an xdp_buff is no skb
            options.kernelTypes = BTFCastKfuncs.kernelTypes
            let devmap = expectedAttachType == .xdpDevmap
            options.contextAccess = { offset, size, write in
                XDPContextRules.allows(offset: offset, size: size, write: write, devmap: devmap)
            }
            options.contextMetaField = Int16(XDPContextRules.dataMeta)
            options.contextPacketPointers = [
                Int16(XDPContextRules.data): .start, Int16(XDPContextRules.dataEnd): .end,
                Int16(XDPContextRules.dataMeta): .start,
            ]
            return options
        }
        if type != .schedCLS && type != .schedACT && type != .socketFilter {
            // Other types load for their attach rules only and never run here: the tc context
            // rules would refuse what their own context allows, so only the structural checks
            // apply, with the tc helpers.
            options.helpers = table()
            return options
        }
        if type == .socketFilter {
            options.helpers = socketFilter
            options.helperPrototypes = .socketFilter
            // Its bpf_skc_to_* casts give BTF pointers typed by the target BTF, as tc's do.
            options.kernelTypes = BTFCastKfuncs.kernelTypes
            options.contextAccess = { offset, size, write in SocketFilterRules.allows(offset: offset, size: size, write: write) }
            options.contextDirectReads = { offset, size in
                ContextDirectReads.allows(offset: offset, size: size) && SocketFilterRules.allows(offset: offset, size: size, write: false)
            }
            options.contextDirectWrites = ContextDirectWriteFields.directWrites { offset, size, write in
                SocketFilterRules.allows(offset: offset, size: size, write: write)
            }
            options.contextPointerFields = [Int16(SKBField.sk)]
            options.contextSocketField = Int16(SKBField.sk)
            return options
        }
        options.helpers = type == .schedACT ? action : table()
        options.kernelTypes = BTFCastKfuncs.kernelTypes
        options.contextAccess = { offset, size, write in ContextRules.allows(offset: offset, size: size, write: write) }
        options.contextDirectReads = { offset, size in
            ContextDirectReads.allows(offset: offset, size: size) && ContextRules.allows(offset: offset, size: size, write: false)
        }
        options.contextDirectWrites = ContextDirectWriteFields.directWrites { offset, size, write in
            ContextRules.allows(offset: offset, size: size, write: write)
        }
        options.contextPointerFields = [Int16(SKBField.sk), Int16(SKBField.flowKeys)]
        options.contextSocketField = Int16(SKBField.sk)
        options.contextMetaField = Int16(SKBField.dataMeta)
        options.contextPacketPointers = [
            Int16(SKBField.data): .start, Int16(SKBField.dataEnd): .end, Int16(SKBField.dataMeta): .start,
        ]
        return options
    }
}
