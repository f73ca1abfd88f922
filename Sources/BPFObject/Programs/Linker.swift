import BPFCore

/// Builds each program's final code: the program, then every `.text` subprogram it
/// reaches, appended in the order first met (depth first, as libbpf lays them out), with
/// call and function-address immediates made relative to the new layout.
struct Linker {
    let subprograms: [RelocatedFunction]
    /// Subprograms (by first `.text` instruction) whose references could not be relocated:
    /// a program that reaches one fails with its error.
    let unrelocated: [Int: ObjectError]
    /// Subprogram indices sorted by first instruction, to find the one containing a target.
    private let byStart: [Int]

    init(subprograms: [RelocatedFunction], unrelocated: [Int: ObjectError] = [:]) {
        self.subprograms = subprograms
        self.unrelocated = unrelocated
        byStart = subprograms.indices.sorted { subprograms[$0].function.start < subprograms[$1].function.start }
    }

    /// The subprogram whose code holds `.text` instruction `target`.
    private func subprogram(containing target: Int) -> Int? {
        var low = 0, high = byStart.count
        while low < high {   // first subprogram starting after target
            let mid = (low + high) / 2
            if subprograms[byStart[mid]].function.start <= target { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let candidate = byStart[low - 1]
        return subprograms[candidate].function.contains(sectionIndex: target) ? candidate : nil
    }

    /// The linked code, and every function in it with its first instruction: the program at 0,
    /// then the subprograms in the order they were appended.
    struct Linked {
        var code: [Instruction]
        var functions: [(function: Function, at: Int)]
    }

    /// `alsoPlacing`: a subprogram the program needs though nothing calls it (its exception
    /// callback), appended after the rest unless already placed, as libbpf appends it.
    func link(_ program: RelocatedFunction, alsoPlacing extra: Int? = nil, fail: Failure) throws(ObjectError) -> Linked {
        var code = program.function.instructions
        var placed: [Int: Int] = [:]          // subprogram index -> first instruction in `code`
        var functions: [(function: Function, at: Int)] = [(program.function, 0)]
        // Functions whose references are being resolved: subprogram (nil: the program), where it sits, next reference.
        var stack: [(sub: Int?, base: Int, next: Int)] = [(nil, 0, 0)]
        var extra = extra
        while true {
            if stack.isEmpty, let callee = extra {
                extra = nil
                if let error = unrelocated[subprograms[callee].function.start] { throw error }
                if placed[callee] == nil {
                    placed[callee] = code.count
                    functions.append((subprograms[callee].function, code.count))
                    stack.append((callee, code.count, 0))
                    code += subprograms[callee].function.instructions
                }
            }
            guard let top = stack.last else { break }
            let function = top.sub.map { subprograms[$0] } ?? program
            guard top.next < function.references.count else { stack.removeLast(); continue }
            stack[stack.count - 1].next += 1
            let reference = function.references[top.next]
            guard let callee = subprogram(containing: reference.target) else {
                throw fail("\(function.function.label), instruction \(reference.at)",
                           "refers to .text instruction \(reference.target), which is not inside any function")
            }
            if let error = unrelocated[subprograms[callee].function.start] { throw error }
            var newlyPlaced = false
            if placed[callee] == nil {
                placed[callee] = code.count
                functions.append((subprograms[callee].function, code.count))
                code += subprograms[callee].function.instructions
                newlyPlaced = true
            }
            let start = placed[callee] ?? 0
            let site = top.base + reference.at
            let destination = start + (reference.target - subprograms[callee].function.start)
            guard let relative = Int32(exactly: destination - site - 1) else {
                throw fail(function.function.label, "call distance does not fit 32 bits")
            }
            code[site].imm = relative
            if code[site].opcode == Relocate.ldImm64, site + 1 < code.count {
                code[site].src = PseudoSource.function.rawValue
                code[site + 1].imm = 0
            }
            // Resolve the new subprogram's own references before the caller's next one.
            if newlyPlaced { stack.append((callee, start, 0)) }
        }
        return Linked(code: code, functions: functions)
    }
}
