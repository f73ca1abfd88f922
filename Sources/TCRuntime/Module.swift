// The TCRuntime module: see its issue; this file goes when the first real file lands.
