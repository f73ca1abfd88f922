import TCX

extension TCXSystem {
    /// Explains why this world refused `request` with `error`. It only reads the world: info
    /// calls on the request's handles, a query of the hook and, for a relative named by an id
    /// that is on no position of the hook, a lookup by that id whose descriptor it closes at
    /// once. Call it before any handle in the request is closed.
    public func explainRefusal(of request: RawAttach, error: TCXError) -> RefusalExplanation {
        RefusalExplainer(world: self).explain(.attach(request), error: error)
    }

    /// Explains a refused BPF_PROG_DETACH; see `explainRefusal(of:error:)` for attach.
    public func explainRefusal(of request: RawDetach, error: TCXError) -> RefusalExplanation {
        RefusalExplainer(world: self).explain(.detach(request), error: error)
    }

    /// Explains a refused BPF_LINK_CREATE; see `explainRefusal(of:error:)` for attach.
    public func explainRefusal(of request: RawLinkCreate, error: TCXError) -> RefusalExplanation {
        RefusalExplainer(world: self).explain(.linkCreate(request), error: error)
    }

    /// Explains a refused BPF_LINK_UPDATE; the hook is the link's own.
    public func explainRefusal(of request: RawLinkUpdate, error: TCXError) -> RefusalExplanation {
        RefusalExplainer(world: self).explain(.linkUpdate(request), error: error)
    }

    /// Explains a refused request of any of the four kinds.
    public func explainRefusal(of request: RefusedRequest, error: TCXError) -> RefusalExplanation {
        RefusalExplainer(world: self).explain(request, error: error)
    }
}

/// Reads the world around a refusal, copies its hook onto a fresh engine, replays there.
struct RefusalExplainer {
    let world: any TCXSystem

    func explain(_ request: RefusedRequest, error: TCXError) -> RefusalExplanation {
        // Handles first, while they are still what the request referred to.
        let handles = request.handleFields.map { field in
            HandleField(role: field.role, value: field.value, reading: world.reading(of: Handle(rawValue: field.value)))
        }
        let devices = (try? world.devices()) ?? []
        let target = request.namedTarget ?? linkTarget(handles, devices: devices)
        let hook = target.flatMap { target in target.ifindex == 0 ? nil : try? world.state(of: target) }
        let relative = relativeByID(request, hook: hook)
        let engine = replay(request, handles: handles, relative: relative, target: target, hook: hook, devices: devices)
        let advice = RefusalAdvice(request: request, handles: handles, hook: hook)
            .advice(for: error.errno)
        let text = ExplanationText(request: request, worldError: error, backendName: world.backendName,
                                   handles: handles, target: target, hook: hook, engine: engine, advice: advice)
        return RefusalExplanation(request: request, worldError: error, backendName: world.backendName,
                                  handles: handles, target: target, hook: hook, engine: engine,
                                  advice: advice, text: text.render())
    }

    /// A link update acts on its link's hook: a netkit peer's hook is managed through the primary.
    /// A detached link has none (ifindex 0), but its attach type still shapes its copy.
    private func linkTarget(_ handles: [HandleField], devices: [DeviceInfo]) -> HookTarget? {
        guard let field = handles.first(where: { $0.role == .link }), case .link(let info) = field.reading else {
            return nil
        }
        var ifindex = info.ifindex
        if let owner = devices.first(where: { $0.ifindex == ifindex }), owner.kind == .netkitPeer,
           let primary = owner.peerIfindex {
            ifindex = primary
        }
        return HookTarget(ifindex: ifindex, attachType: info.attachType)
    }

    /// A relative id on the hook is copied with the hook; one off it is looked up.
    private func relativeByID(_ request: RefusedRequest, hook: HookState?) -> HandleReading? {
        guard let relative = request.relativeID else { return nil }
        let onHook = hook?.entries.contains {
            relative.isLink ? $0.linkID == relative.id : $0.programID == relative.id
        } ?? false
        return onHook ? nil : world.lookUpRelative(id: relative.id, isLink: relative.isLink)
    }

    private func replay(_ request: RefusedRequest, handles: [HandleField], relative: HandleReading?,
                        target: HookTarget?, hook: HookState?, devices: [DeviceInfo]) -> EngineOutcome {
        var known: [UInt32: ProgramInfo] = [:]
        for reading in handles.map(\.reading) + [relative].compactMap({ $0 }) {
            if case .program(let info) = reading { known[info.id] = info }
        }
        let device = target.flatMap { target in devices.first { $0.ifindex == target.ifindex } }
        let mirror: HookMirror
        do throws(TCXError) {
            mirror = try HookMirror(target: target, device: device, hook: hook, known: known)
        } catch {
            return .notReplayed("the hook could not be copied onto the engine: \(error)")
        }
        defer { mirror.shutdown() }
        if case .link(let info) = relative {
            // Off the hook, so its copy is on none: it resolves, and is found nowhere.
            do throws(TCXError) { _ = try mirror.linkCopy(info) } catch {
                return .notReplayed("the relative link could not be copied onto the engine: \(error)")
            }
        }
        return mirror.replay(request, handles: handles)
    }
}
