import Engine
import TCX

/// What the engine made of the request on the copied hook.
public enum EngineOutcome: Hashable, Sendable {
    /// Refused; the reason names the explained world's ids, handles and revisions.
    case refused(TCXError)
    /// Accepted: no rule of the hook order forbids the request.
    case accepted
    /// The hook could not be copied (the reason says why), so nothing was replayed.
    case notReplayed(String)
}

extension HookMirror {
    /// Sends the request, translated field by field, to the engine copy.
    func replay(_ request: RefusedRequest, handles: [HandleField]) -> EngineOutcome {
        do throws(TCXError) {
            let translated = try translate(request, handles: handles)
            switch translated {
            case .attach(let raw): try engine.attach(raw)
            case .detach(let raw): try engine.detach(raw)
            case .linkCreate(let raw): _ = try engine.createLink(raw)
            case .linkUpdate(let raw): try engine.updateLink(raw)
            }
            return .accepted
        } catch {
            return .refused(TCXError(error.errno, worldReason(error.reason, for: request)))
        }
    }

    /// The request as the engine copy must see it: handles by their engine descriptors, the
    /// expected revision by the engine's count; ids, flags and the target are the world's.
    private func translate(_ request: RefusedRequest, handles: [HandleField]) throws(TCXError) -> RefusedRequest {
        var engineValues: [HandleRole: UInt32] = [:]
        for field in handles { engineValues[field.role] = try engineHandle(for: field) }
        func value(_ role: HandleRole, else raw: UInt32) -> UInt32 { engineValues[role] ?? raw }
        func relative(_ raw: UInt32) -> UInt32 {
            engineValues[.relativeProgram] ?? engineValues[.relativeLink] ?? raw
        }
        switch request {
        case .attach(var raw):
            raw.program = value(.program, else: raw.program)
            raw.replaceProgram = value(.replaceProgram, else: raw.replaceProgram)
            raw.relative = relative(raw.relative)
            raw.expectedRevision = translatedRevision(raw.expectedRevision)
            return .attach(raw)
        case .detach(var raw):
            raw.program = value(.program, else: raw.program)
            raw.relative = relative(raw.relative)
            raw.expectedRevision = translatedRevision(raw.expectedRevision)
            return .detach(raw)
        case .linkCreate(var raw):
            raw.program = value(.program, else: raw.program)
            raw.relative = relative(raw.relative)
            raw.expectedRevision = translatedRevision(raw.expectedRevision)
            return .linkCreate(raw)
        case .linkUpdate(var raw):
            raw.link = value(.link, else: raw.link)
            raw.newProgram = value(.newProgram, else: raw.newProgram)
            raw.oldProgram = value(.oldProgram, else: raw.oldProgram)
            return .linkUpdate(raw)
        }
    }

    /// Puts the world's handle numbers and revisions back into an engine reason. Ids need no
    /// translation: the copy carries the world's.
    private func worldReason(_ reason: String, for request: RefusedRequest) -> String {
        if let engineRevision, let worldRevision,
           reason == "expected revision \(translatedRevision(request.expectedRevision)), but the hook is at \(engineRevision)" {
            return "expected revision \(request.expectedRevision), but the hook is at \(worldRevision)"
        }
        return replacingHandleNumbers(in: reason)
    }

    /// Rewrites every "fd N" whose N is an engine descriptor standing for a world handle.
    private func replacingHandleNumbers(in reason: String) -> String {
        var words = reason.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        for index in words.indices.dropFirst() where words[index - 1] == "fd" {
            let digits = words[index].prefix { $0.isNumber }
            guard let number = UInt32(digits), let world = worldHandles[number] else { continue }
            words[index] = "\(world)" + words[index].dropFirst(digits.count)
        }
        return words.joined(separator: " ")
    }
}
