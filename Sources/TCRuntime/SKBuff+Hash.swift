extension SKBuff {
    /// skb_clear_hash.
    func clearHash() {
        metadata.hash = 0
        metadata.softwareHash = false
        metadata.l4Hash = false
    }
}
