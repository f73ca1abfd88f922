import BPFCore

/// Whole-program control flow: every instruction reachable, no loop without a way out,
/// no recursion, at most `VMLimits.maxCallFrames` nested frames.
enum ControlFlowCheck {
    /// `deferred`: with the path analysis, a loop no edge leaves is left to it, as the kernel
    /// finds one only on a path it explores: refused with EINVAL where a state repeats exactly,
    /// with E2BIG where a count keeps changing until the million, not at all on a dead path.
    static func run(_ program: VerifiedProgram, options: VerifierOptions, deferring deferred: inout VMError?) throws(VMError) {
        var endless: VMError?
        try checkLoops(program, allowLoops: options.allowLoops, endless: &endless)
        if let endless {
            guard options.contextAccess != nil else { throw endless }
            if deferred == nil { deferred = endless }
        }
        if options.rejectUnreachable { try checkReachable(program) }
        try checkCalls(program)
    }

    /// Targets of bpf-to-bpf calls and function references made at `index`.
    static func calledFunctions(_ program: VerifiedProgram, at index: Int) -> [Int] {
        switch program.operations[index] {
        case let .call(.local(delta))?: return [index + 1 + Int(delta)]
        case .loadImm64(_, .function, _)?: return [Int(program.immediates[index] ?? 0)]
        default: return []
        }
    }

    private static func checkReachable(_ program: VerifiedProgram) throws(VMError) {
        var seen = [Bool](repeating: false, count: program.count)
        // The exception callback is reached by bpf_throw, not by a call.
        var work = [0] + (program.exceptionCallback.map { [$0] } ?? [])
        for start in work { seen[start] = true }
        while let i = work.popLast() {
            for next in program.successors(of: i) + calledFunctions(program, at: i) where !seen[next] {
                seen[next] = true
                work.append(next)
            }
        }
        for i in 0..<program.count where program.operations[i] != nil && !seen[i] {
            throw VMError(instruction: i, "unreachable insn \(i)")
        }
    }

    /// Finds strongly connected components (Tarjan, iterative so deep programs cannot overflow
    /// the native stack). A component with a cycle is a loop; one no edge leaves never ends.
    /// `endless`: the first loop no edge leaves (the others are still checked).
    private static func checkLoops(_ program: VerifiedProgram, allowLoops: Bool, endless: inout VMError?) throws(VMError) {
        let n = program.count
        var index = [Int](repeating: -1, count: n), low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n), stack: [Int] = []
        var counter = 0
        let successors = (0..<n).map { program.successors(of: $0) }
        for root in 0..<n where index[root] < 0 && program.operations[root] != nil {
            var frames: [(node: Int, next: Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let (node, next) = frames.last {
                if next < successors[node].count {
                    frames[frames.count - 1].next += 1
                    let w = successors[node][next]
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        frames.append((w, 0))
                    } else if onStack[w] {
                        low[node] = min(low[node], index[w])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { low[parent.node] = min(low[parent.node], low[node]) }
                guard low[node] == index[node] else { continue }
                var component: [Int] = []
                while true {
                    let w = stack.removeLast()
                    onStack[w] = false
                    component.append(w)
                    if w == node { break }
                }
                try checkComponent(component, successors: successors, allowLoops: allowLoops, endless: &endless)
            }
        }
    }

    private static func checkComponent(_ component: [Int], successors: [[Int]], allowLoops: Bool,
                                       endless: inout VMError?) throws(VMError) {
        let members = Set(component)
        let isCycle = component.count > 1 || successors[component[0]].contains(component[0])
        guard isCycle else { return }
        if !allowLoops {
            for from in component.sorted() {
                if let to = successors[from].first(where: { members.contains($0) && $0 <= from }) {
                    throw VMError(instruction: from, "back-edge from insn \(from) to \(to)")
                }
            }
        }
        let leaves = component.contains { successors[$0].contains { !members.contains($0) } }
        if !leaves, endless == nil, let first = component.min() {
            endless = VMError(instruction: first, "infinite loop detected at insn \(first)")
        }
    }

    /// Recursion is refused, as in the kernel, which also bounds the call depth statically.
    private static func checkCalls(_ program: VerifiedProgram) throws(VMError) {
        let functions = program.functionStarts.count
        var callees = [[(site: Int, callee: Int)]](repeating: [], count: functions)
        for i in 0..<program.count {
            for target in calledFunctions(program, at: i) {
                callees[program.function(containing: i)].append((i, program.function(containing: target)))
            }
        }
        // 0 unvisited, 1 on the current path, 2 done; depth = frames from f down, f included.
        // Iterative: a hostile program may chain hundreds of thousands of functions.
        var state = [UInt8](repeating: 0, count: functions)
        var depth = [Int](repeating: 1, count: functions)
        for root in 0..<functions where state[root] == 0 {
            var path: [(function: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            while let (f, next) = path.last {
                if next < callees[f].count {
                    path[path.count - 1].next += 1
                    let (site, callee) = callees[f][next]
                    if state[callee] == 1 {
                        // The kernel follows the recursion until the frames run out.
                        throw VMError(instruction: site, "the call stack of \(VMLimits.maxCallFrames + 1) frames is too deep",
                                      errno: .E2BIG)
                    }
                    if state[callee] == 0 {
                        state[callee] = 1
                        path.append((callee, 0))
                    }
                    continue
                }
                path.removeLast()
                state[f] = 2
                for (_, callee) in callees[f] { depth[f] = max(depth[f], depth[callee] + 1) }
                if depth[f] > VMLimits.maxCallFrames {
                    throw VMError(instruction: program.functionStarts[f],
                                  "the call stack of \(depth[f]) frames is too deep", errno: .E2BIG)
                }
            }
        }
    }
}
