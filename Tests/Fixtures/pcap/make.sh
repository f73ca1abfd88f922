#!/bin/sh
# Rebuilds the pcap fixtures from the hex dumps with Wireshark's own tools (Debian's tshark
# package), so the reader is checked against files it did not write. Run after editing a .txt.
set -eu
cd "$(dirname "$0")"
T='%Y-%m-%d %H:%M:%S.'
text2pcap -q -t "$T" -F pcap -l 1 ethernet.txt ethernet-usec.pcap
text2pcap -q -t "$T" -F pcapng -l 1 ethernet.txt ethernet.pcapng
editcap -F nsecpcap ethernet-usec.pcap ethernet-nsec.pcap
editcap -F pcap -s 60 ethernet-usec.pcap ethernet-snap60.pcap
text2pcap -q -t "$T" -F pcap -l 113 sll.txt sll.pcap
text2pcap -q -t "$T" -F pcapng -l 276 sll2.txt sll2.pcapng
