import ArgumentParser
import TCXReplay

/// `tcx replay`: build an attach plan, push a capture through it, write what every device
/// delivered, sent and dropped, and say who saw what.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a pcap through an attach plan on the embedded backend.",
        discussion: """
            Runs the script in a fresh embedded world, sends every frame of the capture into the device \
            (ingress: the frame arrives at it; egress: the device sends it), and writes DIR/DEV-delivered.pcap, \
            DIR/DEV-sent.pcap and DIR/DEV-dropped.pcap for every device that delivered, sent or dropped frames. \
            A plan with '#@replay LABEL' comment lines is replayed at each of them, in the same world, so one \
            plan shows the traffic before and after a change; each phase writes into DIR/LABEL/.
            """)

    @Option(help: "The tcx script that builds the plan.") var script: String
    @Option(help: "The capture to replay (pcap or pcapng).") var pcap: String
    @Option(help: "The device the frames enter.") var dev: String
    @Option(help: "ingress (frames arrive at the device) or egress (the device sends them).") var hook = "ingress"
    @Option(help: "Where to write the per-device captures.") var out: String?

    func validate() throws {
        guard hook == "ingress" || hook == "egress" else {
            throw ValidationError("--hook is ingress or egress, not '\(hook)'")
        }
    }

    func run() throws {
        do throws(ReplayError) {
            let replayer = try Replayer(script: script, pcap: pcap, device: dev,
                                        direction: hook == "ingress" ? .ingress : .egress, output: out)
            print(try replayer.run().text)
        } catch {
            printError("tcx replay: \(error)")
            throw ExitCode(1)
        }
    }
}
