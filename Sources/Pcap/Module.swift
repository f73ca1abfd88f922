// The Pcap module: this file goes when the first real file lands.
