import BPFMaps
import BPFVM

/// The helper table of a tc (SCHED_CLS) program: every helper this runtime implements.
public enum TCHelpers {
    public static func table() -> HelperTable {
        var table = HelperTable()
        MapHelpers.register(&table)
        QueueStackHelpers.register(&table)
        SpinLockHelpers.register(&table)
        PacketHelpers.register(&table)
        ChecksumHelpers.register(&table)
        ResizeHelpers.register(&table)
        AdjustRoomHelper.register(&table)
        VLANHelpers.register(&table)
        SKBHelpers.register(&table)
        SystemHelpers.register(&table)
        TracePrintk.register(&table)
        return table
    }

    /// Verifier options for a tc program: the helpers, the maps, and `data`/`data_end`/`data_meta`
    /// as packet pointers (`data_meta` equals `data`: tc packets carry no metadata here).
    public static func options(maps: [BPFMap] = []) -> VerifierOptions {
        var options = VerifierOptions()
        options.helpers = table()
        options.resolver = MapBinding(maps: maps)
        options.contextPacketPointers = [
            Int16(SKBField.data): .start, Int16(SKBField.dataEnd): .end, Int16(SKBField.dataMeta): .start,
        ]
        return options
    }
}
