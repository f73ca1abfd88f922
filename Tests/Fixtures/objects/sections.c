/* One program per recognised section name, and several programs in one section. */
#include "tcx_bpf.h"

SEC("tc") int p_tc(struct __sk_buff *skb) { return skb->len & 1; }
SEC("classifier") int p_classifier(struct __sk_buff *skb) { return skb->len & 2; }
SEC("tcx/ingress") int p_tcx_in(struct __sk_buff *skb) { return 0; }
SEC("tcx/egress") int p_tcx_eg(struct __sk_buff *skb) { return 2; }
SEC("tc/ingress") int p_tc_in(struct __sk_buff *skb) { return skb->mark == 1 ? 2 : 0; }
SEC("tc/ingress") int p_tc_in2(struct __sk_buff *skb) { return skb->mark == 2 ? 2 : -1; }
SEC("tc/ingress") int p_tc_in3(struct __sk_buff *skb) { return 7; }
SEC("tc/egress") int p_tc_eg(struct __sk_buff *skb) { return -1; }
SEC("netkit/primary") int p_nk_primary(struct __sk_buff *skb) { return 0; }
SEC("netkit/peer") int p_nk_peer(struct __sk_buff *skb) { return 2; }
SEC("xdp") int p_xdp(struct xdp_md *ctx) { return 2; }
/* libbpf's "?": the same types, loaded only when asked for. */
SEC("?tc") int p_optional(struct __sk_buff *skb) { return 5; }
SEC("?tcx/egress") int p_optional_egress(struct __sk_buff *skb) { return 2; }

LICENSE("GPL");
