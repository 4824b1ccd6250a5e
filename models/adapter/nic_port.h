/* models/adapter/nic_port.h — a NIC's physical Ethernet port: a transmit
 * and a receive direction, each serialising frames in FIFO order at the
 * port's line rate. A frame costs its bytes plus 20 bytes on the wire
 * (preamble 7 + start delimiter 1 + inter-frame gap 12, IEEE 802.3); the
 * packet size includes the MAC header and FCS. Every VF of the adapter
 * shares the port (an SR-IOV logical port is a share of one physical
 * port: IBM, "SR-IOV logical ports", PowerVM documentation).
 *
 * Metrics "<path>": tx_packets, rx_packets, tx_bytes, rx_bytes,
 * tx_utilisation, rx_utilisation. */
#ifndef LPARSIM_MODELS_ADAPTER_NIC_PORT_H
#define LPARSIM_MODELS_ADAPTER_NIC_PORT_H

#include "models/io.h"
#include "sim/env.h"

#define NIC_FRAME_OVERHEAD 20 /* preamble + SFD + IFG, bytes */

struct nic_port;

/* rate_bps: line rate in bit/s (> 0). NULL on allocation failure. */
struct nic_port *nic_port_create(struct env *e, const char *path, double rate_bps);
void nic_port_destroy(struct nic_port *p);

/* Entries: a TX request is sent on the wire, an RX request is a frame
 * arriving from the wire; each returns through r->served when its last
 * bit has passed. */
struct io_sink nic_port_tx(struct nic_port *p);
struct io_sink nic_port_rx(struct nic_port *p);

/* Wire time of a frame of `bytes`, ps. */
sim_time_t nic_port_frame_time(const struct nic_port *p, uint32_t bytes);

/* Timeline `fail` / `repair` of the port: link down and up, no EEH (the
 * PCIe side is fine). While the link is down every frame, and every frame
 * on the wire when it went down, comes back in error (scalar `dropped`).
 * Registered under the port's path. */
extern const struct component_ops nic_port_ops;
bool nic_port_up(const struct nic_port *p);
sim_time_t nic_port_down_since(const struct nic_port *p); /* 0 when up */
bool nic_port_holds(const struct nic_port *p, const struct io_req *r);

#endif
