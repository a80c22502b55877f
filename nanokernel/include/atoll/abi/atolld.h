/*
 * Atoll ABI: atolld's wire format (doc/ssi.md), between daemons over TCP
 * (vnet, or any routable network: nothing here assumes one box) and between
 * the atoll command and its local daemon over a Unix socket.
 *
 * A connection is a stream of frames. Every integer is little-endian, on
 * the wire as in these structs:
 *
 *   struct atoll_wire_header   16 bytes
 *   payload                    header.length bytes (<= ATOLL_WIRE_MAX_PAYLOAD)
 *   mac                        ATOLL_WIRE_MAC_SIZE bytes, TCP only, after the
 *                              handshake: HMAC-SHA-256 (truncated to 16 bytes)
 *                              under the session key of
 *                              direction (1 byte: 'C' client->server,
 *                              'S' server->client) | sequence number (u64,
 *                              the frame's number in that direction from 0)
 *                              | header | payload
 *
 * The handshake (TCP) proves the cluster key, a 32-byte secret every kernel
 * holds (/etc/atoll/cluster.key), without sending it:
 *
 *   client HELLO     nonce_c[32]                    (no MAC)
 *   server CHALLENGE nonce_s[32], HMAC(key, "atolld-server" | nonce_c | nonce_s)
 *   client PROOF     HMAC(key, "atolld-client" | nonce_c | nonce_s)
 *   server WELCOME   the server's node identity     (first MAC'd frame)
 *
 * session key = HMAC(key, "atolld-session" | nonce_c | nonce_s). A server
 * that receives anything else first, or a wrong proof, sends REFUSED and
 * closes. A frame whose MAC fails ends the connection. Fresh nonces and the
 * sequence numbers stop replays and reordering within and across sessions.
 * The Unix socket (mode 0600, root only) has no handshake and no MACs: the
 * kernel vouches for the peer.
 *
 * Payload fields are written in order, each as
 *   u32   little-endian
 *   u64   little-endian
 *   str   u32 length, then that many bytes (no terminator; <= ATOLL_WIRE_MAX_STR)
 *   bytes the rest of the payload
 * A payload with bytes left over, or too few, is malformed.
 */
#ifndef ATOLL_ABI_ATOLLD_H
#define ATOLL_ABI_ATOLLD_H

#include "abi.h"

#define ATOLL_WIRE_MAGIC 0x444c5441u /* "ATLD" as little-endian bytes */
#define ATOLL_WIRE_VERSION 4u   /* 2: PS gives each process's workload; 3: each kernel's NUMA node; 4: EXECs one after another on a connection, STARTED only when asked */
#define ATOLL_WIRE_MAX_PAYLOAD (1u << 20)   /* 1 MiB: a larger frame ends the connection */
#define ATOLL_WIRE_MAX_STR (64u << 10)      /* one argument, variable or path */
#define ATOLL_WIRE_MAX_LIST 4096u           /* arguments or variables of one EXEC */
#define ATOLL_WIRE_MAC_SIZE 16u
#define ATOLL_WIRE_NONCE_SIZE 32u
#define ATOLL_WIRE_KEY_SIZE 32u
#define ATOLL_WIRE_PORT 7117u               /* atolld's TCP port */

/* atoll_wire_header.type. Direction: C client to server, S server to client. */
enum atoll_wire_type {
	ATOLL_WIRE_HELLO = 1,      /* C: bytes nonce_c[32] */
	ATOLL_WIRE_CHALLENGE = 2,  /* S: bytes nonce_s[32] then server proof[32] */
	ATOLL_WIRE_PROOF = 3,      /* C: bytes client proof[32] */
	ATOLL_WIRE_WELCOME = 4,    /* S: u32 node id, str name */
	ATOLL_WIRE_REFUSED = 5,    /* S: str reason; the server closes */
	ATOLL_WIRE_ERROR = 6,      /* S: u32 code (ATOLL_WIRE_E_*), str message */

	ATOLL_WIRE_STATUS_REQ = 16, /* C: (empty) */
	ATOLL_WIRE_STATUS = 17,     /* S: u32 node id, str name, u32 cpus, u64 mem_total_kib,
				     * u64 mem_available_kib, u32 load1 x100, u32 load5 x100,
				     * u32 load15 x100, u64 uptime_s, u32 numa_node (the host NUMA
				     * node of the kernel's CPUs and RAM, ATOLL_NUMA_UNKNOWN when it
				     * does not know), u32 n, n x (u32 id, u32 state, u32 numa_node):
				     * the partition table (host: ATOLL_PSTATE_*; others: n = 0) */
	ATOLL_WIRE_NODES_REQ = 18,  /* C (local): (empty) */
	ATOLL_WIRE_NODES = 19,      /* S (local): u32 n, n x (u32 id, str name, str address,
				     * u32 state ATOLL_NODE_*, then STATUS's fields from cpus on
				     * (zero when unknown), u64 ms since the last answer) */
	ATOLL_WIRE_ROUTE = 20,      /* C (local): u32 node id: relay this connection there */
	ATOLL_WIRE_ROUTE_NAME = 21, /* C (local): str node name, or its id in decimal: as ROUTE
				     * (the daemon resolves it against the nodes `atoll nodes`
				     * shows; E_NO_NODE names them) */

	ATOLL_WIRE_EXEC = 32,       /* C: u32 flags (ATOLL_EXEC_F_*), u32 argc, argc x str,
				     * u32 envc, envc x str "K=V", str cwd ("" = the daemon's);
				     * with ATOLL_EXEC_F_PTY then u32 rows, u32 cols (the
				     * terminal's size, 1..ATOLL_WIRE_MAX_WINSIZE each) */
	ATOLL_WIRE_STARTED = 33,    /* S: u32 pid (the remote process group's leader; only for an EXEC with ATOLL_EXEC_F_STARTED) */
	ATOLL_WIRE_STDIN = 34,      /* C: bytes */
	ATOLL_WIRE_STDIN_EOF = 35,  /* C: (empty) */
	ATOLL_WIRE_STDOUT = 36,     /* S: bytes */
	ATOLL_WIRE_STDERR = 37,     /* S: bytes */
	ATOLL_WIRE_SIGNAL = 38,     /* C: u32 signal number, for the remote process group */
	ATOLL_WIRE_EXIT = 39,       /* S: u32 status (exit code, or 128 + signal) , u32 signal (0: exited) */
	ATOLL_WIRE_WINSIZE = 44,    /* C: u32 rows, u32 cols: the client's terminal was resized
				     * (an EXEC with ATOLL_EXEC_F_PTY only) */

	ATOLL_WIRE_PS_REQ = 40,     /* C: (empty) */
	ATOLL_WIRE_PS = 41,         /* S: u32 n, n x (u32 pid, u32 uid, str user, u32 state (a
				     * /proc state letter), u32 cpu permille since start, u64 rss_kib,
				     * u64 start (seconds since the epoch), u64 cpu_ms (CPU time used),
				     * str command line, str workload: the atoll workload whose cgroup
				     * holds it, "" if none), then u64 the node's monotonic clock in ms */
	ATOLL_WIRE_KILL = 42,       /* C: u32 pid, u32 signal */
	ATOLL_WIRE_KILLED = 43,     /* S: u32 errno (0: the signal was sent) */

	ATOLL_WIRE_PING = 48,       /* either: (empty); answered by PONG */
	ATOLL_WIRE_PONG = 49,
};

/* ATOLL_WIRE_ERROR codes */
enum atoll_wire_error {
	ATOLL_WIRE_E_MALFORMED = 1,  /* a frame or payload that does not decode */
	ATOLL_WIRE_E_UNEXPECTED = 2, /* a frame not valid in this state */
	ATOLL_WIRE_E_NO_NODE = 3,    /* ROUTE to a node the daemon does not know */
	ATOLL_WIRE_E_UNREACHABLE = 4,/* ROUTE to a node whose daemon does not answer */
	ATOLL_WIRE_E_EXEC = 5,       /* the command could not be started (message says why) */
};

/* A numa_node of STATUS or NODES that nobody knows (a partition does not
 * know its own; the host's partition table says it). */
#define ATOLL_NUMA_UNKNOWN 0xffffffffu

/* Node states in ATOLL_WIRE_NODES */
enum atoll_node_state {
	ATOLL_NODE_UP = 1,          /* its daemon answered within the last few seconds */
	ATOLL_NODE_DAEMON_DOWN = 2, /* the kernel runs, its daemon does not answer */
	ATOLL_NODE_STOPPED = 3,     /* the partition table says stopped (or not booted) */
	ATOLL_NODE_UNREACHABLE = 4, /* no answer, and nothing says why */
};

/* ATOLL_WIRE_EXEC flags. With ATOLL_EXEC_F_PTY the command runs on a
 * pseudo-terminal as its controlling terminal, standard input, output and
 * error: STDIN bytes go to the terminal, what it prints comes back as
 * STDOUT (no STDERR), STDIN_EOF sends the terminal's end-of-file character,
 * and WINSIZE resizes it. Unknown flags are refused. */
#define ATOLL_EXEC_F_PTY (1u << 0)
/* Answer STARTED once the command runs (revision 4: without it the daemon
 * sends none, one frame less across the vnet per exec for a client that
 * has no use for the pid). */
#define ATOLL_EXEC_F_STARTED (1u << 1)
#define ATOLL_EXEC_F_ALL (ATOLL_EXEC_F_PTY | ATOLL_EXEC_F_STARTED)
#define ATOLL_WIRE_MAX_WINSIZE 4096u

struct atoll_wire_header {
	atoll_u32 magic;   /* ATOLL_WIRE_MAGIC */
	atoll_u16 version; /* ATOLL_WIRE_VERSION: a reader refuses another */
	atoll_u16 type;    /* enum atoll_wire_type */
	atoll_u32 length;  /* payload bytes, <= ATOLL_WIRE_MAX_PAYLOAD */
	atoll_u32 reserved;/* 0 */
};

ATOLL_ABI_ASSERT(offsetof(struct atoll_wire_header, version) == 4);
ATOLL_ABI_ASSERT(offsetof(struct atoll_wire_header, type) == 6);
ATOLL_ABI_ASSERT(offsetof(struct atoll_wire_header, length) == 8);
ATOLL_ABI_ASSERT(sizeof(struct atoll_wire_header) == 16);

#endif /* ATOLL_ABI_ATOLLD_H */
