/*
 * keyproc.h — the key process: the only process of a running role that holds
 * private keys (DESIGN.md §9 "Where keys live"; OpenBSD relayd/smtpd ca.c).
 *
 * `hromada serve` and `hromada up` start it (keyproc_client.h) before they open
 * any role: it is a fresh exec of the same binary (`hromada keyproc`), so it
 * shares no memory with the process that parses network input. It then:
 *  - makes itself undumpable (PR_SET_DUMPABLE 0: no ptrace, no /proc/PID/mem
 *    for other processes of its user), without core dumps, and asks to die
 *    with its parent;
 *  - filters its own system calls (keyproc_filter.c): no sockets, no exec, no
 *    ptrace, files only read;
 *  - answers on socketpairs inherited as fds 3..3+N-1, one thread per socket:
 *    LOAD a PEM private key by path (returning only the public key and a
 *    handle), SIGN a digest of exactly the length the key's algorithm hashes
 *    to, CLOSE a handle (keyproc_msg.h);
 *  - rate-limits each key (token bucket, --rate per second; 0 = none) and logs
 *    what it loaded and, every 10 s, how many digests each key signed.
 *
 * A malformed message means the peer is broken or taken over: the key process
 * stops answering everyone and exits with KEYPROC_EXIT_MALFORMED, which tells
 * the client not to restart it (the peer loses its keys — fatal to the peer,
 * never a crash here). Any other death is restarted by the client.
 */
#ifndef HROMADA_KEYPROC_H
#define HROMADA_KEYPROC_H

#define KEYPROC_KEYS_MAX       256 /* a handle keeps the slot in 8 bits */
#define KEYPROC_CHANNELS_MAX   16
#define KEYPROC_FIRST_FD       3
#define KEYPROC_EXIT_CLOSED    0 /* every peer hung up */
#define KEYPROC_EXIT_MALFORMED 3 /* a peer sent a malformed message */
#define KEYPROC_EXIT_SETUP     4 /* could not drop privileges or start */

struct keyproc_limits {
	unsigned channels;        /* sockets at fds 3.. */
	unsigned sign_rate_per_s; /* per key; 0 = unlimited */
	int filter;               /* 1: install the system-call filter */
};

/* Serves the sockets until every peer hangs up or one misbehaves; returns the
 * exit status (KEYPROC_EXIT_*). Drops privileges first. */
int keyproc_serve(const int *fds, const struct keyproc_limits *limits);

/* `hromada keyproc --channels N [--rate R]`: not for people; what the client
 * executes. */
int keyproc_main(int argc, char **argv);

/* Installs the system-call filter in the calling thread and every thread it
 * starts later (keyproc_filter.c). HR_E_UNSUPPORTED without libseccomp support. */
int keyproc_filter_install(void);

#endif
