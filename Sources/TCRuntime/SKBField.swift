/// Byte offsets of `struct __sk_buff` (include/uapi/linux/bpf.h), the context a tc program's
/// r1 points at.
public enum SKBField {
    public static let size = 192
    public static let len = 0
    public static let pktType = 4
    public static let mark = 8
    public static let queueMapping = 12
    public static let `protocol` = 16
    public static let vlanPresent = 20
    public static let vlanTCI = 24
    public static let vlanProto = 28
    public static let priority = 32
    public static let ingressIfindex = 36
    public static let ifindex = 40
    public static let tcIndex = 44
    public static let cb = 48          // u32 cb[5]
    public static let cbEnd = 68
    public static let hash = 68
    public static let tcClassid = 72
    public static let data = 76
    public static let dataEnd = 80
    public static let napiID = 84
    public static let family = 88      // family .. local_port: sk_skb programs only
    public static let localPortEnd = 140
    public static let dataMeta = 140
    public static let flowKeys = 144
    public static let tstamp = 152
    public static let wireLen = 160
    public static let gsoSegs = 164
    public static let sk = 168
    public static let gsoSize = 176
    public static let tstampType = 180
    public static let hwtstamp = 184
}
