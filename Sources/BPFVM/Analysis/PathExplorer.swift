import BPFCore

/// Follows every path of a program with an abstract state, as the kernel's verifier does
/// (`do_check`): register and stack-slot types, packet ranges learned from comparisons with
/// `data_end`, NULL checks, references and the spin lock, states at jump targets pruned when
/// an explored one covers them, and a loop refused when a state repeats on its own path.
///
/// It refuses only what it is sure of. Whatever it does not follow becomes `unknown`, and
/// nothing done with an unknown value is refused. Like the kernel, it refuses a program with a
/// path of more than 1,000,000 instructions or with more than 8,192 branches waiting (E2BIG);
/// past 1,000,000 instructions over all paths, or a call chain deeper than it follows, it stops
/// without a verdict, and the run-time checks alone keep the program in bounds.
struct PathExplorer {
    let program: VerifiedProgram
    let setup: PathSetup
    let facts: PruneFacts
    /// The functions whose exits hand r0 to the kernel unchecked (the program, global functions):
    /// a callback's r0 is checked against what its helper allows, and decides.
    let returnsToKernel: Set<Int>
    /// The argument registers each call of a helper with a known prototype reads.
    let helperArgumentsByCall: [Int: UInt16]
    /// Of those, the ones whose numbers the call's checks depend on (`PathPrecision`).
    let helperNumbersByCall: [Int: UInt16]
    private let prunePoints: [Bool]
    /// The registers each instruction reads (`RegisterCheck`), worked out once.
    private let reads: [UInt16]
    /// Instructions whose path-independent checks passed already: not checked again.
    private var passedOnce: [Bool]
    private var seen: [Int: [Trail]] = [:]
    /// The stack liveness of the instructions reached so far: a state every path of which was
    /// explored prunes with it (only those paths' reads can matter).
    private var reachedSlots: ReachedStackLiveness
    private var processed = 0
    /// What the exploration did, for `PathStatistics`.
    private var statistics = PathStatistics()
    private var statesKept = 0
    /// `processed` and the jumps taken when the last state was kept (the kernel keeps one only
    /// after 2 jumps and 8 instructions since the last: tight loops store far fewer).
    private var processedAtLastKept = 0
    private var jumps = 0
    private var jumpsAtLastKept = 0
    /// The deepest stack byte each function (by first slot) touched in its own frame.
    private var stackDepth: [Int: Int] = [:]
    /// The same, of the instructions outside bpf_fastcall patterns (`FastcallStack`).
    private var stackDepthOutsideFastcall: [Int: Int] = [:]
    private let fastcall: FastcallStack
    /// How helper calls use callbacks, by the callback's first slot.
    private var callbackUses: [Int: PathCallbacks.Use] = [:]
    /// The callback being explored, whose returns are checked.
    private var callback: PathCallbacks.Use?
    /// Global functions a path explored so far calls: the kernel verifies only those.
    private var calledGlobals: Set<Int> = []
    private var verifiedGlobals: Set<Int> = []
    /// Callbacks followed on their callers' paths (`PathCallbacks`): not explored on their own.
    private var inlinedCallbacks: Set<Int> = []
    /// The pointer type each memory access went through on the paths explored so far.
    private var pointerTypes = InstructionPointerTypes()
    /// Functions that may move the packet (`PacketChangingFunctions`).
    private let packetChangers: Set<Int>

    /// Instructions processed before the program is refused as too large (the kernel's
    /// BPF_COMPLEXITY_LIMIT_INSNS).
    static let processedLimit = 1_000_000
    /// Branches waiting to be explored before the program is refused as too complex (the
    /// kernel's BPF_COMPLEXITY_LIMIT_JMP_SEQ).
    static let pendingLimit = 8192

    /// A way that waits its turn, as the kernel's push_stack: its trail stays live until it is
    /// explored, and past the limit the program is refused as too complex.
    private static func wait(_ way: Branch, in pending: inout [Branch], at index: Int) throws(VMError) {
        guard pending.count < pendingLimit else {
            throw VMError(instruction: index, "The sequence of \(pending.count + 1) jumps is too complex.", errno: .E2BIG)
        }
        way.trail?.live += 1
        pending.append(way)
    }
    /// States kept per pruning point.
    static let keptStates = 24

    /// A path's history at pruning points, to tell a loop that repeats a state.
    final class Trail {
        let index: Int
        let state: PathState
        let losses: Int
        let parent: Trail?
        /// The path from the parent's instruction up to this node's (excluded), to walk it back.
        let steps: [PathStep]
        /// Its registers' kinds, to rule most covers out cheaply (`RegisterKinds`).
        let kinds: RegisterKinds
        /// Registers of the current frame whose numbers a path from here depended on
        /// (`PathPrecision`); all of every frame when a walk back could not follow.
        var precise: UInt16 = 0
        /// Slots of the current frame whose numbers a path from here depended on.
        var preciseSlots: UInt64 = 0
        var allPrecise = false
        /// The callers' registers and slots (frame 0 first) whose numbers a path from here
        /// depended on: the kernel keeps precision marks in every frame of a state.
        var callerMarks: [(registers: UInt16, slots: UInt64)] = []
        /// A path through here ended covered by a state whose marks may lack some, which never
        /// reach this node (`IteratorConvergence`); so are its ancestors.
        var marksPending = false
        /// The slots of its frame live here when it was first compared after every path from
        /// it was explored: the kernel cleans a state once then (clean_live_states), and the
        /// slots it cleared stay cleared, whatever reads the exploration reaches later.
        var cleanedLiveSlots: UInt64?
        /// Paths still exploring from here: the branches at this node (current or waiting) and
        /// the nodes after it still in use. Above zero, the node is on the path being explored
        /// (the kernel's `branches`): it prunes nothing, and a path repeating it loops.
        var live = 0
        init(index: Int, state: PathState, losses: Int, parent: Trail?, steps: [PathStep]) {
            self.index = index
            self.state = state
            self.losses = losses
            self.parent = parent
            self.steps = steps
            self.kinds = RegisterKinds(state.registers)
        }

        /// The live slots a cover by this explored node compares: those live when it was first
        /// compared (`cleanedLiveSlots`), set now if this is that time. A node whose marks may
        /// still be missing is not cleaned yet, as the kernel skips a state whose loop is not done.
        func cleaned(_ liveNow: UInt64) -> UInt64 {
            if let cleanedLiveSlots { return cleanedLiveSlots }
            if marksPending { return liveNow }
            cleanedLiveSlots = liveNow
            return liveNow
        }

        /// `state.covers`, called on the kept state in place (no copy of it per candidate).
        func covers(_ other: PathState, facts: PruneFacts, at index: Int, precise marks: UInt16 = .max,
                    preciseSlots slotMarks: UInt64 = .max, callerMarks callers: [(registers: UInt16, slots: UInt64)]? = nil,
                    liveSlots: UInt64? = nil) -> Bool {
            state.covers(other, facts: facts, at: index, precise: marks, preciseSlots: slotMarks, callerMarks: callers,
                         liveSlots: liveSlots)
        }

        /// The callers' marks a cover by this node must match: nil (every number that may
        /// decide something) while its marks may lack some or all count.
        var coverCallerMarks: [(registers: UInt16, slots: UInt64)]? { marksPending ? nil : presentCallerMarks }

        /// The callers' marks as far as known now (nil: every number counts), which a cover by
        /// this node hands on along the path it ends, as the kernel's propagate_precision hands
        /// on only the marks a state has.
        var presentCallerMarks: [(registers: UInt16, slots: UInt64)]? {
            if allPrecise { return nil }
            return (0 ..< state.frame).map { $0 < callerMarks.count ? callerMarks[$0] : (0, 0) }
        }

        /// The registers whose numbers a path from here depended on, as far as known now.
        var preciseRegisters: UInt16 { allPrecise ? .max : precise }
        var preciseSlotMarks: UInt64 { allPrecise ? .max : preciseSlots }
        /// The registers and slots whose numbers a cover by this node must match, once every
        /// path from it was explored: all of them while its marks may lack some.
        var coverRegisters: UInt16 { allPrecise || marksPending ? .max : precise }
        var coverSlots: UInt64 { allPrecise || marksPending ? .max : preciseSlots }

        /// A path from this node ended (or moved on to a node of its own).
        static func release(_ node: Trail?) {
            var node = node
            while let current = node {
                current.live -= 1
                guard current.live == 0 else { return }
                node = current.parent
            }
        }
    }

    /// Where a path goes on from, and what it carries.
    struct Branch {
        var index: Int
        var state: PathState
        var trail: Trail?
        /// How many times this path lost precision the kernel keeps (results of calls).
        var losses: Int
        /// Instructions processed along this path from its entry.
        var steps = 0
        /// The instructions run since `trail`'s, to walk the path back.
        var walked: [PathStep] = []
    }

    private struct GiveUp: Error {}

    init(program: VerifiedProgram, setup: PathSetup) {
        self.program = program
        self.setup = setup
        self.returnsToKernel = setup.globalFunctions.union([0]).subtracting(setup.callbacks)
        self.helperArgumentsByCall = Self.helperArgumentsByCall(program, setup.pathOptions)
        self.helperNumbersByCall = Self.helperNumbersByCall(helperArgumentsByCall, program, setup.pathOptions)
        let prototypes = helperArgumentsByCall.keys.reduce(into: [Int: [HelperArgument]]()) { table, index in
            if case .call(.helper(let id))? = program.operations[index] {
                table[index] = HelperPrototypeTable.arguments(id, variant: setup.pathOptions.helperPrototypes)
            }
        }
        self.facts = PruneFacts(program, returnsToKernel: returnsToKernel, helperArguments: helperArgumentsByCall,
                                helperPrototypes: prototypes)
        self.reachedSlots = facts.reachedSlots
        var points = [Bool](repeating: false, count: program.count + 1)
        var reads = [UInt16](repeating: 0, count: program.count)
        for index in 0 ..< program.count {
            guard let op = program.operations[index] else { continue }
            reads[index] = RegisterCheck.effect(of: op).reads | Self.helperArguments(op, setup.pathOptions)
            switch op {
            case let .jump(_, _, _, _, offset):
                // The kernel's prune points (visit_insn): a conditional jump itself and where it
                // branches to, not where it falls through.
                points[index] = true
                let target = index + 1 + Int(offset)
                if target >= 0, target < points.count { points[target] = true }
            case .goto:
                for next in program.successors(of: index) where next >= 0 && next < points.count { points[next] = true }
            case .mayGoto:
                // The kernel keeps a state at every may_goto, and at both ways out.
                points[index] = true
                for next in program.successors(of: index) where next >= 0 && next < points.count { points[next] = true }
            case .call(.helper(let id)) where IteratorSlots.nextCalls.contains(id) || PathCallbacks.runsDuringCall.contains(id):
                // The kernel compares states at an iterator's next call and at a call that runs
                // a callback, loops included.
                points[index] = true
                points[index + 1] = true
            case .call:
                points[index + 1] = true
            default:
                break
            }
        }
        self.prunePoints = points
        self.packetChangers = PacketChangingFunctions.find(in: program)
        self.fastcall = FastcallStack(program)
        self.reads = reads
        self.passedOnce = [Bool](repeating: false, count: program.count)
    }

    /// Explores the program and every function the kernel verifies on its own (global
    /// functions, callbacks); throws the first refusal. False when it gave up (over its budget,
    /// or a call chain deeper than it follows).
    @discardableResult
    static func check(_ program: VerifiedProgram, setup: PathSetup) throws(VMError) -> Bool {
        try analyse(program, setup: setup).complete
    }

    /// As `check`, with what the exploration did (`complete` false when it gave up).
    static func analyse(_ program: VerifiedProgram, setup: PathSetup) throws(VMError) -> PathStatistics {
        var explorer = PathExplorer(program: program, setup: setup)
        do {
            let statistics = try explorer.exploreAll()
            PathStatisticsTrace.report(statistics, refused: false)
            return statistics
        } catch {
            PathStatisticsTrace.report(explorer.finished(complete: true), refused: true)
            throw error
        }
    }

    /// The program's entry, then the functions the kernel verifies on their own.
    private mutating func exploreAll() throws(VMError) -> PathStatistics {
        do {
            try exploreFunction(0, isMain: true)
            try exploreCalledGlobals()
            // Callbacks last: those their callers' paths follow are not explored again.
            for start in program.functionStarts where start != 0 && !setup.globalFunctions.contains(start) {
                guard setup.callbacks.contains(start) else { continue }
                if inlinedCallbacks.contains(start), callbackUses[start] == nil { continue }
                // Callbacks a helper call was seen to take wait for the end, with what that
                // helper passes them and the return values it allows.
                if callbackUses[start] != nil { continue }
                try exploreFunction(start, isMain: false)
            }
            for start in program.functionStarts where setup.callbacks.contains(start) && !setup.globalFunctions.contains(start) {
                guard let use = callbackUses[start] else { continue }
                callback = use
                var entry = PathState(entry: use.entry)
                if use.underLock {
                    entry.lockHeld = true
                    entry.lockOwner = RbtreePrototypes.callbackLockOwner
                }
                try explore(from: Branch(index: start, state: entry, trail: nil, losses: 0))
            }
            callback = nil
            try exploreCalledGlobals()
        } catch let refusal as VMError {
            throw refusal
        } catch {
            return finished(complete: false)  // gave up: no verdict
        }
        let callees = localCallees()
        try checkCombinedStack(callees)
        try CallbackTailCalls.check(program, callbacks: setup.callbacks, callees: callees)
        return finished(complete: true)
    }

    /// Global functions as the kernel's do_check_subprogs takes them: in order, again while one
    /// more was verified, and only those a verified path calls (or whose address the program
    /// takes, or the exception callback): one no path reaches is never verified
    /// (verifier_global_subprogs' guarded_unsupp_global_called; verifier/subprog_exits.c).
    private mutating func exploreCalledGlobals() throws {
        while true {
            let due = program.functionStarts.filter { start in
                start != 0 && setup.globalFunctions.contains(start) && !verifiedGlobals.contains(start)
                    && (calledGlobals.contains(start) || setup.callbacks.contains(start) || start == program.exceptionCallback)
            }
            guard !due.isEmpty else { return }
            for start in due {
                verifiedGlobals.insert(start)
                try exploreFunction(start, isMain: false)
            }
        }
    }

    /// Explores the program from its entry, or a function on its own with its parameters as
    /// the kernel gives them (a global function's as its BTF types them).
    private mutating func exploreFunction(_ start: Int, isMain: Bool) throws {
        var registers = [AbstractValue](repeating: .notInit, count: 11)
        if isMain {
            registers[1] = .pointer(.context)
        } else {
            for r in 1 ... 5 { registers[r] = .unknown }
            for (i, argument) in (setup.globals[start]?.arguments ?? []).prefix(5).enumerated() {
                registers[i + 1] = PathCalls.entryValue(argument, register: i + 1, function: start)
            }
        }
        registers[10] = .pointer(.stack(frame: 0))
        try explore(from: Branch(index: start, state: PathState(entry: registers), trail: nil, losses: 0))
    }

    private func finished(complete: Bool) -> PathStatistics {
        var result = statistics
        result.processed = processed
        result.complete = complete
        return result
    }

    /// The argument registers of each call of a helper whose prototype is known, by call.
    private static func helperArgumentsByCall(_ program: VerifiedProgram, _ options: VerifierOptions) -> [Int: UInt16] {
        var arguments: [Int: UInt16] = [:]
        for (index, op) in program.operations.enumerated() {
            guard case .call(.helper(let id))? = op, id < KfuncTable.helperBase else { continue }
            guard options.helpers.contains(id) || (id == VMLimits.tailCallHelper && options.allowTailCalls) else { continue }
            arguments[index] = helperArguments(.call(.helper(id)), options)
        }
        return arguments
    }

    /// The argument registers a call to a helper this program may call reads: every argument
    /// its kernel prototype declares (`R4 !read_ok`), none past them. An unknown helper is
    /// refused as such first, as the kernel does.
    private static func helperArguments(_ op: Operation, _ options: VerifierOptions) -> UInt16 {
        guard case .call(.helper(let id)) = op, id < KfuncTable.helperBase else { return 0 }
        let offered = options.helpers.contains(id) || (id == VMLimits.tailCallHelper && options.allowTailCalls)
        guard offered else { return 0 }
        let count = HelperPrototypeTable.arguments(id, variant: options.helperPrototypes).count
        return UInt16((1 << min(count, 5)) - 1) << 1
    }

    /// What the kernel checks of an instruction when a path reaches it: the registers it
    /// reads are written on this path (`R1 !read_ok`; a static function's exit hands r0 back
    /// whatever it holds), and the rules of `Verifier.checkOnPath`.
    private mutating func checkReached(_ op: Operation, at index: Int, _ state: PathState) throws(VMError) {
        var reads = self.reads[index]
        if case .exit = op, !state.returns.isEmpty { reads = 0 }
        for r in 0 ..< 11 where reads & (1 << UInt16(r)) != 0 && state.registers[r].kind == .notInit {
            throw VMError(instruction: index, "R\(r) !read_ok", errno: .EACCES)
        }
        // The rest depends on the instruction alone: once is enough.
        guard !passedOnce[index] else { return }
        if case .call(.local(let delta)) = op, let global = setup.globals[index + 1 + Int(delta)], !global.returnsScalar {
            throw VMError(instruction: index, "Global function \(global.name)() doesn't return scalar. Only those are supported.")
        }
        try Verifier.checkOnPath(op, at: index, options: setup.pathOptions)
        passedOnce[index] = true
    }

    /// Notes how deep into its own frame an instruction reaches (the kernel's per-function
    /// stack depth): loads, stores, atomics and helper memory arguments through the frame.
    private mutating func recordStackDepth(_ op: Operation, at index: Int, _ state: PathState) {
        switch op {
        case let .load(_, _, _, src, offset): recordStackDepth(state.registers[Int(src)], Int(offset), at: index, state)
        case let .store(_, dst, _, offset): recordStackDepth(state.registers[Int(dst)], Int(offset), at: index, state)
        case let .atomic(kind, _, dst, src, offset):
            recordStackDepth(state.registers[Int(kind == .loadAcquire ? src : dst)], Int(offset), at: index, state)
        case .call(.helper):
            for r in 1 ... 5 { recordStackDepth(state.registers[r], 0, at: index, state) }
        default:
            return
        }
    }

    private mutating func recordStackDepth(_ base: AbstractValue, _ offset: Int, at index: Int, _ state: PathState) {
        // A variable offset reaches as deep as its smallest value.
        guard case .stack(let frame) = base.kind, frame == state.frame,
              base.range.smin > -Int64(VMLimits.stackPerFrame * 2), base.range.smin < Int64(VMLimits.stackPerFrame) else { return }
        let function = program.functionStarts[program.function(containing: index)]
        let depth = -(base.offset + offset + Int(base.range.smin))
        if depth > stackDepth[function] ?? 0 { stackDepth[function] = depth }
        if !fastcall.patternInstructions.contains(index), depth > stackDepthOutsideFastcall[function] ?? 0 {
            stackDepthOutsideFastcall[function] = depth
        }
    }

    /// The functions each function calls (bpf-to-bpf), by first slot.
    private func localCallees() -> [Int: Set<Int>] {
        var callees: [Int: Set<Int>] = [:]
        for (index, op) in program.operations.enumerated() {
            guard case .call(.local(let delta))? = op else { continue }
            let caller = program.functionStarts[program.function(containing: index)]
            callees[caller, default: []].insert(index + 1 + Int(delta))
        }
        return callees
    }

    /// The frames of a chain of bpf-to-bpf calls share the 512 bytes (each rounded up to 16, as
    /// with the kernel's JIT): refused as the kernel's check_max_stack_depth refuses it.
    private func checkCombinedStack(_ callees: [Int: Set<Int>]) throws(VMError) {
        func frameSize(_ function: Int) -> Int {
            let depth = fastcall.depth(ofFunction: function, deepestOther: stackDepthOutsideFastcall[function] ?? 0)
                ?? stackDepth[function] ?? 0
            return (depth + 15) / 16 * 16
        }
        // The deepest chain from each function, with its length in calls.
        var memo: [Int: (bytes: Int, calls: Int)] = [:]
        func deepest(_ function: Int, _ depth: Int) -> (bytes: Int, calls: Int) {
            if let known = memo[function] { return known }
            var best = (bytes: 0, calls: 0)
            if depth < VMLimits.maxCallFrames {
                for callee in callees[function] ?? [] {
                    let below = deepest(callee, depth + 1)
                    if below.bytes > best.bytes { best = below }
                }
            }
            let result = (bytes: frameSize(function) + best.bytes, calls: best.calls + 1)
            memo[function] = result
            return result
        }
        // An async callback (a timer's) starts a chain of its own, as the kernel's main program
        // does; a synchronous one's chain counts under its caller's too, so alone it is never
        // deeper than the kernel measures it (async_stack_depth: a callback calling a function).
        for root in [0] + setup.callbacks.sorted() {
            let (bytes, calls) = deepest(root, 1)
            if bytes > VMLimits.stackPerFrame {
                throw VMError(instruction: nil, "combined stack size of \(calls) calls is \(bytes). Too large", errno: .EACCES)
            }
        }
    }

    private mutating func explore(from entry: Branch) throws {
        var pending = [entry]
        while var branch = pending.popLast() {
            // However this path ends, its node no longer holds it.
            defer { Trail.release(branch.trail) }
            pathLoop: while true {
                processed += 1
                branch.steps += 1
                let index = branch.index
                if processed > Self.processedLimit {
                    // One path this long the kernel follows too, to the same refusal. A total
                    // this large may come from pruning weaker than the kernel's, in one frame as
                    // across frames (Calico's calico_tc_main: 220,477 on Linux 6.18, past a
                    // million here until the stack liveness of StackArgumentSlots, 119,286 now;
                    // loxilb's tc_csum_func1 still 2.8 times the kernel's): no verdict, so a
                    // program the kernel loads is not refused.
                    guard branch.steps > Self.processedLimit else { throw GiveUp() }
                    throw VMError(instruction: index, "BPF program is too large. Processed \(processed) insn", errno: .E2BIG)
                }
                guard index >= 0, index < program.count, let op = program.operations[index] else { break }
                reachedSlots.reach(index)
                if prunePoints[index] {
                    if try isPruned(&branch) { break }
                }
                try checkReached(op, at: index, branch.state)
                if let needs = precisionNeeds(op, at: index, branch.state) {
                    markPrecise(registers: needs.registers, slots: needs.slots, on: branch)
                } else {
                    Self.markAllPrecise(from: branch.trail)
                }
                branch.walked.append(Self.step(op, at: index, branch.state))
                // The kernel counts every instruction of its jump class: jumps, gotos, calls, exits.
                switch op {
                case .jump, .goto, .mayGoto, .call, .exit: jumps += 1
                default: break
                }
                switch op {
                case let .jump(condition, is64, dst, operand, offset):
                    let target = index + 1 + Int(offset)
                    let (taken, fallThrough) = try PathBranches.outcomes(condition, is64: is64, dst: dst, operand,
                                                                         state: branch.state)
                    let needs = Self.jumpNeeds(dst: dst, operand, before: branch.state, oneWay: taken == nil || fallThrough == nil)
                    markPrecise(registers: needs, slots: 0, on: branch, skipping: 1)
                    switch (taken, fallThrough) {
                    case let (taken?, fallThrough?):
                        // Both ways: the taken one waits, as the kernel's push_stack.
                        try Self.wait(Branch(index: target, state: taken, trail: branch.trail, losses: branch.losses,
                                             steps: branch.steps, walked: branch.walked), in: &pending, at: index)
                        branch.state = fallThrough
                        branch.index = index + 1
                    case let (taken?, nil):
                        branch.state = taken
                        branch.index = target
                    case let (nil, fallThrough?):
                        branch.state = fallThrough
                        branch.index = index + 1
                    case (nil, nil):
                        break pathLoop
                    }
                case let .goto(offset, _):
                    branch.index = index + 1 + Int(offset)
                case let .mayGoto(offset):
                    // The loop's body waits, one may_goto deeper; the way out goes first.
                    // Numbers the earlier iterations had otherwise are widened, as at an iterator.
                    var body = branch
                    body.state.mayGotoDepth += 1
                    // The state kept here is this iteration's own, not an earlier one's.
                    widenAtIterator(&body, excluding: branch.trail)
                    body.index = index + 1
                    try Self.wait(body, in: &pending, at: index)
                    branch.index = index + 1 + Int(offset)
                case .exit:
                    // A callback run under its caller's lock leaves it held (RbtreePrototypes).
                    if callback?.underLock == true, branch.state.returns.isEmpty {
                        branch.state.lockHeld = false
                        branch.state.lockOwner = []
                    }
                    guard let returnTo = try PathCalls.exit(&branch.state, at: index) else {
                        if let callback { try PathCallbacks.checkReturn(branch.state.registers[0], of: callback, at: index) }
                        break pathLoop
                    }
                    branch.index = returnTo
                case .call(.local(let delta)):
                    let target = index + 1 + Int(delta)
                    if setup.globalFunctions.contains(target) {
                        calledGlobals.insert(target)
                        if let function = setup.globals[target] {
                            try PathCalls.checkArguments(branch.state, of: function,
                                                         number: program.function(containing: target), at: index)
                        }
                        PathCalls.callGlobal(&branch.state, returnsScalar: setup.globalsReturningScalar.contains(target))
                        if packetChangers.contains(target) { PacketChangingFunctions.invalidatePacketPointers(&branch.state) }
                        branch.index = index + 1
                    } else {
                        guard PathCalls.enter(&branch.state, returnTo: index + 1) else { throw GiveUp() }
                        branch.index = target
                    }
                default:
                    recordStackDepth(op, at: index, branch.state)
                    var callbackWay: Branch?, runsCallbackInline = false
                    if case .call(.helper(let id)) = op, let (start, use) = PathCallbacks.use(by: id, branch.state, types: setup.kernelTypes) {
                        if id == 181 { setup.loopInlining.note(branch.state, callback: start, at: index) }
                        if PathCallbacks.runsInline(id, branch.state, globals: setup.globalFunctions) {
                            inlinedCallbacks.insert(start)
                            runsCallbackInline = true
                                callbackWay = try callbackRun(of: id, at: index, branch, start: start, use)
                        } else {
                            callbackUses[start] = use
                        }
                    }
                    if let split = ScalarForks.split(op, branch.state) {
                        var zero = branch
                        zero.state.registers[split.register] = split.zero
                        try Self.wait(zero, in: &pending, at: index)
                        branch.state.registers[split.register] = split.minusOne
                    }
                    let accessBase = InstructionPointerTypes.base(of: op, branch.state)
                    let steppedIterator = IteratorSlots.stepped(by: op, branch.state)
                    try PathTransfer.apply(op, at: index, to: &branch.state, losses: &branch.losses,
                                           program: program, setup: setup)
                    if let steppedIterator { try stepIterator(at: steppedIterator, &branch, at: index, pending: &pending) }
                    if runsCallbackInline {
                        // Past the call the callback has run as often as it will.
                        branch.state.callbackDepths[branch.state.frame] = 0
                    }
                    if let callbackWay { try Self.wait(callbackWay, in: &pending, at: index) }
                    if let accessBase { try pointerTypes.record(accessBase, at: index) }
                    // bpf_throw leaves every frame: the path ends here (ExceptionRules).
                    if ExceptionRules.isThrow(op) { break pathLoop }
                    // A resilient lock may fail: that way waits, without the lock (ResLockRules).
                    if let failed = ResLockRules.failedWay(op, after: branch.state) {
                        var way = branch
                        way.state = failed
                        way.index = index + 1
                        try Self.wait(way, in: &pending, at: index)
                    }
                    branch.index = index + (op.isWide ? 2 : 1)
                    if case .call(.helper(VMLimits.tailCallHelper)) = op,
                       CallbackTailCalls.leavesCallback(branch.state, exploringCallback: callback) {
                        throw VMError(instruction: index, CallbackTailCalls.leftCallback, errno: .EFAULT)
                    }
                    if case .call(.helper(VMLimits.tailCallHelper)) = op, !branch.state.returns.isEmpty {
                        // A tail call that succeeds replaces the subprogram, and the program it
                        // runs returns to this one's caller: Linux 6.18 follows that way as an
                        // exit with an unknown r0 (verifier_live_stack; verifier/subprog_exits.c);
                        // the call's failure waits.
                        try Self.wait(branch, in: &pending, at: index)
                        branch.state.registers[0] = .scalar(.unknown)
                        PacketChangingFunctions.tailCalled(&branch.state)
                        guard let returnTo = try PathCalls.exit(&branch.state, at: index) else { break pathLoop }
                        branch.index = returnTo
                    }
                    if case .packetLoad = op, !branch.state.returns.isEmpty {
                        // A load past the packet returns 0 from the subprogram (the hidden exit of
                        // the kernel's bpf_gen_ld_abs): that way first, the load's result waits.
                        try Self.wait(branch, in: &pending, at: index)
                        branch.state.registers[0] = .constant(0)
                        guard let returnTo = try PathCalls.exit(&branch.state, at: index) else { break pathLoop }
                        branch.index = returnTo
                    }
                }
            }
        }
    }

    /// At a pruning point: refuses a loop that came back to a state it had, answers whether an
    /// explored state covers this one, and otherwise records it. A state still on this path
    /// (an ancestor) prunes nothing, as in the kernel: a loop must repeat exactly to be refused
    /// and is otherwise followed around.
    private mutating func isPruned(_ branch: inout Branch) throws -> Bool {
        let index = branch.index
        let atIterator: Bool
        if case .call(.helper(let id))? = program.operations[index] { atIterator = IteratorSlots.nextCalls.contains(id) } else { atIterator = false }
        // Only an active iterator's loop converges here; its numbers are widened on the way
        // with an element, after the call (`stepIterator`), and the state kept is the path's own.
        if atIterator, !iteratorDrained(branch.state, at: index), let earlier = convergedIteration(branch) {
            endConverged(branch, coveredBy: earlier)
            return true
        }
        let atMayGoto = MayGotoLoops.isMayGoto(program.operations[index])
        let atCallbackCall = runsCallback(at: index)
        if atCallbackCall, branch.state.callbackDepths[branch.state.frame] > 0 {
            widenAtCallbackCall(&branch)
        }
        let kinds = RegisterKinds(branch.state.registers)
        let live = facts.registers(at: index).live
        let liveSlots = reachedSlots.slots(at: index)
        for seenState in seen[index] ?? [] {
            // Most kept states differ in a live register's kind: no full comparison for those.
            let mayCover = seenState.kinds.mayCover(kinds, live: live)
            if atCallbackCall {
                // A callback that brings the call back to a state it had, on this path or
                // another, has been run as often as makes a difference (no loop is refused here).
                // Only the covering state's marks as they are now go back along the path (the
                // kernel's propagate_precision at a callback's callsite), and its states wait for
                // the marks it may still gain, as at an iterator that converged.
                if mayCover, seenState.covers(branch.state, facts: facts, at: index) {
                    statistics.pruned += 1
                    PathStatisticsTrace.trace("safe", at: index)
                    endConverged(branch, coveredBy: seenState)
                    return true
                }
                continue
            }
            if atMayGoto, mayCover, seenState.state.mayGotoDepth != branch.state.mayGotoDepth,
               seenState.covers(branch.state, facts: facts, at: index) {
                statistics.pruned += 1
                PathStatisticsTrace.trace("safe", at: index)
                propagatePrecision(.max, to: branch)
                return true
            }
            if seenState.live > 0 {
                // On this path: the same state again is a loop that never ends.
                if seenState.losses == branch.losses, seenState.state == branch.state {
                    throw VMError(instruction: index, "infinite loop detected at insn \(index)", errno: .EINVAL)
                }
                continue
            }
            // Cleaned at its first comparison, whether or not it may cover this state.
            let seenLiveSlots = seenState.cleaned(liveSlots)
            if mayCover, seenState.covers(branch.state, facts: facts, at: index, precise: seenState.coverRegisters,
                                          preciseSlots: seenState.coverSlots, callerMarks: seenState.coverCallerMarks,
                                          liveSlots: seenLiveSlots) {
                statistics.pruned += 1
                PathStatisticsTrace.trace("safe", at: index)
                propagatePresentMarks(of: seenState, to: branch)
                // Its marks may lack some: so may this path's (IteratorConvergence).
                if seenState.marksPending { Self.markPending(from: branch.trail) }
                return true
            }
        }
        // An iterator's next call always keeps its state (the kernel forces a checkpoint there):
        // convergence is judged against the earlier iterations' states.
        guard atIterator || atMayGoto || atCallbackCall || (jumps - jumpsAtLastKept >= 2 && processed - processedAtLastKept >= 8) else { return false }
        processedAtLastKept = processed
        jumpsAtLastKept = jumps
        let node = Trail(index: index, state: branch.state, losses: branch.losses, parent: branch.trail, steps: branch.walked)
        branch.walked = []
        // The path moves from its node to the new one, which keeps the old one in use.
        node.live = 1
        var states = seen[index] ?? []
        if states.count >= Self.keptStates {
            states.removeFirst()
            statesKept -= 1
        }
        states.append(node)
        statesKept += 1
        statistics.totalStates += 1
        PathStatisticsTrace.trace("kept", at: index)
        statistics.peakStates = max(statistics.peakStates, statesKept)
        seen[index] = states
        branch.trail = node
        return false
    }
}

extension PathExplorer {
    /// Whether the instruction is a helper call that runs a callback during the call.
    fileprivate func runsCallback(at index: Int) -> Bool {
        guard case .call(.helper(let id))? = program.operations[index] else { return false }
        return PathCallbacks.runsDuringCall.contains(id)
    }

    /// Back at a callback-running call from the callback: numbers that differ from the earlier
    /// runs' of this loop are widened as at an iterator (`widenAtIterator`), in place of the
    /// kernel's imprecise numbers, which match any. The earlier runs are the states at this
    /// call on the path since the loop was entered (an outer loop's earlier runs of this one
    /// are other loops); the first `exactRuns` are followed exactly but for numbers that decide
    /// nothing, so a loop of a few runs is followed as the kernel follows it.
    fileprivate func widenAtCallbackCall(_ branch: inout Branch) {
        let exactRuns = 8
        let frame = branch.state.frame
        var earlier: [PathState] = []
        var markedSlots: UInt64 = 0
        var ancestor = branch.trail
        var steps = 0
        while let node = ancestor, steps < 4096, earlier.count < Self.keptStates {
            if node.index == branch.index, node.state.frame == frame {
                earlier.append(node.state)
                markedSlots |= node.preciseSlotMarks
                if node.state.callbackDepths[frame] == 0 { break }  // where the loop was entered
            }
            ancestor = node.parent
            steps += 1
        }
        guard !earlier.isEmpty else { return }
        if earlier.count < exactRuns {
            branch.state.widenScalars(differingFrom: earlier[0], keeping: facts.registers(at: branch.index).relevant)
            // What the callback keeps in the caller's stack through its context (a count, a
            // sum) is widened too where no path depended on it so far, as the kernel widens
            // spilled imprecise numbers on return from a callback.
            branch.state.widenSpilledScalars(differingFrom: earlier[0], inFrame: frame, keeping: markedSlots)
        } else {
            branch.state.widenNewScalars(seen: earlier, exact: facts.decisiveRegisters(at: branch.index))
        }
    }

    /// The way into a callback a helper call runs (once more), on the caller's path, or nil
    /// when bpf_loop has run it as often as its count allows (the kernel's push_callback_call).
    fileprivate func callbackRun(of helper: Int32, at index: Int, _ branch: Branch, start: Int,
                                 _ use: PathCallbacks.Use) throws -> Branch? {
        guard PathCallbacks.mayRunAgain(helper, branch.state) else { return nil }
        var way = branch
        guard PathCalls.enterCallback(&way.state, at: index, use) else { throw GiveUp() }
        way.index = start
        return way
    }

    /// After an iterator's `next`, in the kernel's order (process_iter_next_call): the path goes
    /// on with the iterator drained (r0 NULL, and NULL again at every later `next`), and the way
    /// with an element waits, explored later, its numbers widened against the previous
    /// iteration's state at this call (`widenAtIterator`). The drained way is not widened, so
    /// the numbers a loop leaves behind are what its last iteration had.
    fileprivate func stepIterator(at place: StackPlace, _ branch: inout Branch, at index: Int,
                                  pending: inout [Branch]) throws(VMError) {
        if !branch.state.drainedIterators.contains(place) {
            var active = branch
            active.state.registers[0] = active.state.registers[0].nonNull
            // The state just kept at this call is this iteration's own: the previous one is earlier.
            widenAtIterator(&active, excluding: branch.trail?.index == index ? branch.trail : nil)
            active.index = index + 1
            try Self.wait(active, in: &pending, at: index)
        }
        branch.state.registers[0] = .constant(0)
        branch.state.drainedIterators.insert(place)
    }

    /// Whether the `next` call at `index` steps an iterator that is drained on this path.
    fileprivate func iteratorDrained(_ state: PathState, at index: Int) -> Bool {
        guard let op = program.operations[index], let place = IteratorSlots.stepped(by: op, state) else { return false }
        return state.drainedIterators.contains(place)
    }

    /// The kernel widens the imprecise numbers that differ from the previous iteration's at an
    /// iterator's next call (widen_imprecise_scalars), so a loop converges instead of running
    /// through every count. For the first iterations a number that differs is widened unless it
    /// may decide something and an earlier iteration's state here carries its precision mark (a
    /// value cycling through a few numbers is followed exactly; one no check has depended on yet
    /// is widened, as the kernel's delayed precision marks: iters delayed_precision_mark); after
    /// that, any number, in a register or on the stack,
    /// that holds a value no earlier iteration had. A known constant is kept only in a register
    /// that may decide something (`DecisiveRegisters`) and that a check on this path already
    /// depended on in an earlier iteration (its precision mark): as in the kernel, a counter
    /// compared only with numbers it cannot decide against (a bound from the packet) is widened
    /// and the loop converges, while one a comparison decided is followed through every value.
    /// This may accept a loop the kernel refuses.
    fileprivate func widenAtIterator(_ branch: inout Branch, excluding own: Trail? = nil) {
        var ancestor = branch.trail
        var steps = 0
        var earlier: [PathState] = []
        var marked: UInt16 = 0
        while let node = ancestor, steps < 4096, earlier.count < Self.keptStates {
            if node.index == branch.index, node !== own {
                earlier.append(node.state)
                // Marks are of the node's current frame: another frame's count as all.
                marked |= node.state.frame == branch.state.frame ? node.preciseRegisters : .max
            }
            ancestor = node.parent
            steps += 1
        }
        guard !earlier.isEmpty else { return }
        let exactIterations = 4
        let relevant = facts.registers(at: branch.index).relevant
        if earlier.count < exactIterations {
            branch.state.widenScalars(differingFrom: earlier[0], keeping: relevant & marked)
        } else {
            branch.state.widenNewScalars(seen: earlier, exact: facts.decisiveRegisters(at: branch.index) & marked)
        }
    }
}

/// What the analysis needs to know of the program type and the program.
struct PathSetup {
    /// Context fields whose 32-bit loads give packet pointers.
    var packetFields: [Int16: PacketPointer] = [:]
    /// The context field that gives the packet's metadata pointer.
    var metaField: Int16?
    /// The context field that gives the skb's socket (`__sk_buff.sk`).
    var socketField: Int16?
    /// Context fields whose loads give pointers the analysis does not follow.
    var pointerFields: Set<Int16> = []
    var rules: ContextAccessRule?
    var globalFunctions: Set<Int> = []
    /// Their signatures, by first slot.
    var globals: [Int: GlobalFunction] = [:]
    var globalsReturningScalar: Set<Int> = []
    var callbacks: Set<Int> = []
    /// What `Verifier.checkOnPath` needs, run on each instruction a path reaches.
    var pathOptions = VerifierOptions()
    /// The bytes of frozen read-only map values, whose loads are constants.
    var fixedValues: [UInt64: [UInt8]] = [:]
    /// Ids of the memory kfuncs hand out read-only (`KfuncPrototypes.readOnlyResults`).
    var readOnlyMemory: Set<Int> = []
    /// The BTF that types BTF pointers, and the loads through them found on the paths.
    var kernelTypes: @Sendable () -> (any KernelTypeCatalog)? = { nil }
    var probeLoads = ProbeLoads()
    /// The type of the objects each allocating call makes (ObjectPrototypes).
    var objectSites = ObjectSites()
    var loopInlining = LoopInlining()
}

extension Operation {
    /// `lddw` takes two slots.
    var isWide: Bool {
        if case .loadImm64 = self { return true }
        return false
    }
}


