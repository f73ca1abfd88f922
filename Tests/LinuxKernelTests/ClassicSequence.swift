import BPFCore
import TCX

/// One sequence of classic tc requests, right and wrong, run on either backend: every step's
/// outcome (ok, a placement, or the errno) and the filter lists, with program ids replaced by
/// names so two backends' lines compare.
enum ClassicSequence {
    static func run(_ world: some ClassicTCSystem) throws -> [String] {
        var lines: [String] = []
        var names: [UInt32: String] = [:]
        func step(_ label: String, _ body: () throws(TCXError) -> Void) {
            do throws(TCXError) {
                try body()
                lines.append("\(label): ok")
            } catch {
                lines.append("\(label): \(error.errno)")
            }
        }
        func placed(_ label: String, _ body: () throws(TCXError) -> [AttachPlacement]) {
            do throws(TCXError) {
                lines.append("\(label): \(try body().map(\.description).joined(separator: ", "))")
            } catch {
                lines.append("\(label): \(error.errno)")
            }
        }
        func list(_ label: String, _ target: HookTarget) {
            do throws(TCXError) {
                let filters = try world.classicFilters(on: target).map { filter in
                    let program = filter.programID.flatMap { names[$0] } ?? "?"
                    // The attach layer names a filter `name:[id]`; ids differ between backends.
                    let name = filter.programID.map { id in (filter.name ?? "").replacing("[\(id)]", with: "[id]") }
                    return "\(filter.priority)/\(filter.handle) \(filter.kind) \(program) '\(name ?? "")' da=\(filter.directAction)"
                }
                lines.append("\(label): [\(filters.joined(separator: "; "))]")
            } catch {
                lines.append("\(label): \(error.errno)")
            }
        }
        func load(_ name: String, _ type: ProgramType = .schedCLS) throws -> Handle {
            let spec = ProgramSpec(name: name, type: type, instructions: ProgramSpec.returning(-1, name: name).instructions)
            let handle = try world.loadProgram(spec)
            names[try world.programInfo(handle).id] = name
            return handle
        }

        let (a, b) = try world.createVeth(name: "va", peer: "vb")
        let ingress = HookTarget(ifindex: a, attachType: .tcxIngress)
        let egress = HookTarget(ifindex: a, attachType: .tcxEgress)
        let peer = HookTarget(ifindex: b, attachType: .tcxIngress)
        let missing = HookTarget(ifindex: 999, attachType: .tcxIngress)
        let p = try load("p"), q = try load("q"), r = try load("r"), act = try load("act", .schedACT)

        step("remove with no clsact") { () throws(TCXError) in try world.removeClassicFilter(on: peer, priority: 10, handle: 1) }
        list("no clsact", peer)
        step("add p 10/1") { () throws(TCXError) in try world.addClassicFilter(p, on: ingress, priority: 10, handle: 1, name: "p1") }
        step("add q 10/1 taken") { () throws(TCXError) in try world.addClassicFilter(q, on: ingress, priority: 10, handle: 1, name: "q") }
        step("add act 10/1 taken") { () throws(TCXError) in try world.addClassicFilter(act, on: ingress, priority: 10, handle: 1, name: "a") }
        step("add act 20/1 not SCHED_CLS") { () throws(TCXError) in try world.addClassicFilter(act, on: ingress, priority: 20, handle: 1, name: "a") }
        step("add closed handle 20/1") { () throws(TCXError) in
            try world.addClassicFilter(.invalid, on: ingress, priority: 20, handle: 1, name: "x")
        }
        step("add on unknown ifindex") { () throws(TCXError) in try world.addClassicFilter(p, on: missing, priority: 10, handle: 1, name: "p") }
        step("add prio 0") { () throws(TCXError) in try world.addClassicFilter(p, on: ingress, priority: 0, handle: 1, name: "p") }
        step("add handle 0") { () throws(TCXError) in try world.addClassicFilter(p, on: ingress, priority: 30, handle: 0, name: "p") }
        step("add on a netkit hook") { () throws(TCXError) in
            try world.addClassicFilter(p, on: HookTarget(ifindex: a, attachType: .netkitPrimary), priority: 30, handle: 1, name: "p")
        }
        step("add q 10/3") { () throws(TCXError) in try world.addClassicFilter(q, on: ingress, priority: 10, handle: 3, name: "q3") }
        step("add r 10/2") { () throws(TCXError) in try world.addClassicFilter(r, on: ingress, priority: 10, handle: 2, name: "r2") }
        step("add q 5/9") { () throws(TCXError) in try world.addClassicFilter(q, on: ingress, priority: 5, handle: 9, name: "q9") }
        step("add p egress 7/1") { () throws(TCXError) in try world.addClassicFilter(p, on: egress, priority: 7, handle: 1, name: "pe") }
        list("ingress", ingress)
        list("egress", egress)
        list("peer", peer)
        list("unknown ifindex", missing)
        step("remove 10/9 no handle") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 10, handle: 9) }
        step("remove 11/1 no prio") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 11, handle: 1) }
        step("remove 20/1 refused add") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 20, handle: 1) }
        step("remove egress 10/1") { () throws(TCXError) in try world.removeClassicFilter(on: egress, priority: 10, handle: 1) }
        step("remove prio 0") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 0, handle: 1) }
        step("remove on unknown ifindex") { () throws(TCXError) in try world.removeClassicFilter(on: missing, priority: 10, handle: 1) }
        step("remove 10/3") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 10, handle: 3) }
        step("remove 10/3 again") { () throws(TCXError) in try world.removeClassicFilter(on: ingress, priority: 10, handle: 3) }
        // A filter holds its program: closing the only handle keeps it running.
        step("close p") { () throws(TCXError) in try world.close(p) }
        list("ingress after removals", ingress)

        placed("tc tail r") { () throws(TCXError) in [try world.attach(r, to: ingress, at: .tail, mode: .tc)] }
        placed("tc head q") { () throws(TCXError) in [try world.attach(q, to: ingress, at: .head, mode: .tc)] }
        placed("tc before r") { () throws(TCXError) in [try world.attach(q, to: ingress, at: .before(.program(r)), mode: .tc)] }
        placed("tc with revision") { () throws(TCXError) in [try world.attach(q, to: ingress, mode: .tc, expectedRevision: 1)] }
        step("link in tc mode") { () throws(TCXError) in _ = try world.link(q, to: ingress, mode: .tc) }
        placed("auto r") { () throws(TCXError) in [try world.attach(r, to: ingress, mode: .auto)] }
        list("ingress after attaches", ingress)
        placed("detach q tc") { () throws(TCXError) in try world.detach(program: q, from: ingress, mode: .tc) }
        placed("detach q tc again") { () throws(TCXError) in try world.detach(program: q, from: ingress, mode: .tc) }
        placed("detach r auto") { () throws(TCXError) in try world.detach(program: r, from: ingress, mode: .auto) }
        placed("detach r tcx") { () throws(TCXError) in try world.detach(program: r, from: ingress, mode: .tcx) }
        list("ingress at the end", ingress)
        return lines
    }

    /// What the kernel answered on this machine.
    static let expected: [String] = [
        "remove with no clsact: EINVAL",
        "no clsact: []",
        "add p 10/1: ok",
        "add q 10/1 taken: EEXIST",
        "add act 10/1 taken: EEXIST",
        "add act 20/1 not SCHED_CLS: EINVAL",
        "add closed handle 20/1: EBADF",
        "add on unknown ifindex: ENODEV",
        "add prio 0: EINVAL",
        "add handle 0: EINVAL",
        "add on a netkit hook: EINVAL",
        "add q 10/3: ok",
        "add r 10/2: ok",
        "add q 5/9: ok",
        "add p egress 7/1: ok",
        "ingress: [5/9 bpf q 'q9' da=true; 10/2 bpf r 'r2' da=true; 10/3 bpf q 'q3' da=true; 10/1 bpf p 'p1' da=true]",
        "egress: [7/1 bpf p 'pe' da=true]",
        "peer: []",
        "unknown ifindex: ENODEV",
        "remove 10/9 no handle: ENOENT",
        "remove 11/1 no prio: ENOENT",
        "remove 20/1 refused add: ENOENT",
        "remove egress 10/1: ENOENT",
        "remove prio 0: EINVAL",
        "remove on unknown ifindex: ENODEV",
        "remove 10/3: ok",
        "remove 10/3 again: ENOENT",
        "close p: ok",
        "ingress after removals: [5/9 bpf q 'q9' da=true; 10/2 bpf r 'r2' da=true; 10/1 bpf p 'p1' da=true]",
        "tc tail r: tc prio 11 handle 1",
        "tc head q: tc prio 4 handle 1",
        "tc before r: EOPNOTSUPP",
        "tc with revision: EOPNOTSUPP",
        "link in tc mode: EOPNOTSUPP",
        "auto r: tcx",
        "ingress after attaches: [4/1 bpf q 'q:[id]' da=true; 5/9 bpf q 'q9' da=true; 10/2 bpf r 'r2' da=true; 10/1 bpf p 'p1' da=true; 11/1 bpf r 'r:[id]' da=true]",
        "detach q tc: tc prio 4 handle 1, tc prio 5 handle 9",
        "detach q tc again: ENOENT",
        "detach r auto: tcx, tc prio 10 handle 2, tc prio 11 handle 1",
        "detach r tcx: ENOENT",
        "ingress at the end: [10/1 bpf p 'p1' da=true]",
    ]
}
