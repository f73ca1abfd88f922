#if canImport(Glibc)
import Glibc
#endif
import LinuxKernel

/// bpftool's text layouts for `prog show` and `link show`, and the JSON objects of their -j.
enum InventoryText {
    /// `ID: TYPE  name NAME  tag TAG  gpl` / `\tloaded_at TIME  uid U` / `\txlated NB  jited NB  map_ids A,B` / `\tbtf_id N`
    static func program(_ details: ProgramDetails) -> String {
        var lines = ["\(details.id): \(details.type)  name \(details.name)  tag \(details.tag)\(details.gplCompatible ? "  gpl" : "")"]
        lines.append("\tloaded_at \(wallClock(sinceBoot: details.loadTime))  uid \(details.uid)")
        var sizes = "\txlated \(details.translatedBytes)B  "
        sizes += details.jitedBytes > 0 ? "jited \(details.jitedBytes)B" : "not jited"
        if !details.mapIDs.isEmpty { sizes += "  map_ids " + details.mapIDs.map(String.init).joined(separator: ",") }
        lines.append(sizes)
        if details.btfID != 0 { lines.append("\tbtf_id \(details.btfID)") }
        return lines.joined(separator: "\n")
    }

    /// `ID: TYPE  prog P` / `\tifindex DEV(IDX)  attach_type TYPE` (tcx and netkit links).
    static func link(_ summary: LinkSummary, deviceNames: [UInt32: String]) -> String {
        var text = "\(summary.id): \(summary.type)  prog \(summary.programID)"
        if let ifindex = summary.ifindex, let attachType = summary.attachType {
            let name = deviceNames[ifindex].map { "\($0)(\(ifindex))" } ?? "\(ifindex)"
            text += "\n\tifindex \(ifindex == 0 ? "0 (detached)" : name)  attach_type \(attachType)"
        }
        return text
    }

    struct ProgramJSON: Encodable {
        var id: UInt32
        var type: String
        var name: String
        var tag: String
        var gplCompatible: Bool
        var loadedAt: Int64
        var uid: UInt32
        var bytesXlated: UInt32
        var jited: Bool
        var bytesJited: UInt32
        var mapIds: [UInt32]
        var btfId: UInt32?

        init(_ details: ProgramDetails) {
            id = details.id
            type = details.type
            name = details.name
            tag = details.tag
            gplCompatible = details.gplCompatible
            loadedAt = InventoryText.unixSeconds(sinceBoot: details.loadTime)
            uid = details.uid
            bytesXlated = details.translatedBytes
            jited = details.jitedBytes > 0
            bytesJited = details.jitedBytes
            mapIds = details.mapIDs
            btfId = details.btfID == 0 ? nil : details.btfID
        }
    }

    struct LinkJSON: Encodable {
        var id: UInt32
        var type: String
        var progId: UInt32
        var ifindex: UInt32?
        var devname: String?
        var attachType: String?

        init(_ summary: LinkSummary, deviceNames: [UInt32: String]) {
            id = summary.id
            type = summary.type
            progId = summary.programID
            ifindex = summary.ifindex
            devname = summary.ifindex.flatMap { deviceNames[$0] }
            attachType = summary.attachType
        }
    }

    /// The kernel keeps load times as nanoseconds since boot; the wall clock is now minus uptime.
    static func unixSeconds(sinceBoot nanoseconds: UInt64) -> Int64 {
        var realtime = timespec(), boottime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        clock_gettime(CLOCK_BOOTTIME, &boottime)
        let bootSeconds = Int64(realtime.tv_sec) - Int64(boottime.tv_sec)
        return bootSeconds + Int64(nanoseconds / 1_000_000_000)
    }

    /// `2026-12-05T12:13:24+0000`, as bpftool prints loaded_at.
    static func wallClock(sinceBoot nanoseconds: UInt64) -> String {
        var seconds = time_t(unixSeconds(sinceBoot: nanoseconds))
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%FT%T%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
