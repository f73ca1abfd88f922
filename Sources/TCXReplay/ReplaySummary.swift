import Engine

/// The replay's report as text: per phase, what each device delivered, sent and dropped, how
/// often each program ran and what it answered, what the maps counted, why frames were dropped.
extension ReplayReport {
    public var text: String {
        var out: [String] = []
        let hook = direction == .ingress ? "ingress" : "egress"
        out.append("replayed \(frames) frame(s) into \(device) \(hook)" + (phases.count > 1 ? " in each of \(phases.count) phases" : "")
                   + (skipped > 0 ? "; skipped \(skipped) that are not Ethernet" : ""))
        for phase in phases {
            out.append("")
            if !phase.label.isEmpty { out.append("== \(phase.label)") }
            out += phase.lines
        }
        return out.joined(separator: "\n")
    }
}

extension PhaseReport {
    var lines: [String] {
        var out = [row("device", "rx", "delivered", "sent", "dropped")]
        for device in devices where device.name != "lo" || device.rx + device.tx > 0 {
            out.append(row(device.name, "\(device.rx)", "\(device.delivered)", "\(device.sent)", "\(device.dropped)"))
        }
        out.append("")
        out.append(row("program", "runs", "next", "pass", "drop", "redirect", "other", "ns/run"))
        for program in programs {
            let perRun = program.runs == 0 ? 0 : program.nanoseconds / program.runs
            out.append(row(program.name, "\(program.runs)", "\(program.next)", "\(program.pass)", "\(program.drop)",
                           "\(program.redirect)", "\(program.other)", "\(perRun)"))
        }
        if !maps.isEmpty {
            out.append("")
            out.append("maps (entries this phase changed, key=value):")
            for map in maps {
                out.append("  " + pad(map.name, 16) + map.entries.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
        }
        if !dropReasons.isEmpty {
            out.append("")
            out.append("drops:")
            for (reason, count) in dropReasons { out.append("  " + pad("\(count)", 5) + reason) }
        }
        if !files.isEmpty {
            out.append("")
            out.append("wrote " + files.joined(separator: ", "))
        }
        return out
    }

    private func row(_ first: String, _ rest: String...) -> String {
        (pad(first, 16) + rest.dropLast().map { pad($0, 10) }.joined() + (rest.last ?? ""))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
