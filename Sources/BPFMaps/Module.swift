// The BPFMaps module: see its issue; this file goes when the first real file lands.
