/*
 * bench_qr.c — QR rendering as the wallet does it for every presentation:
 * the SVG of one credential payload, on one core.
 *
 *	bench_qr PAYLOAD SECONDS   ->   {"qr_svg_per_s": N, "svg_bytes": N}
 *
 * bench/wallet_documents.sh counts this work beside the ECDSA operations of the
 * wallet's document fetch. libqrencode's own mask selection (ISO/IEC 18004
 * §7.8.3 evaluates all eight masks cell by cell) cost ~1.1 ms here, more than
 * the signatures of the whole path; credential/qr_mask.c chooses in ~20 µs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/buf.h"
#include "credential/qr.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct hr_error err = {0};
	struct buf svg;
	double seconds, t0;
	long n = 0;

	if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_qr PAYLOAD SECONDS\n");
		return 2;
	}
	buf_init(&svg, 1024 * 1024);
	t0 = now();
	do {
		for (int i = 0; i < 16; i++, n++) {
			buf_reset(&svg);
			if (qr_render_svg(argv[1], &svg, &err) != HR_OK) {
				fprintf(stderr, "bench_qr: %s\n", err.message);
				return 1;
			}
		}
	} while (now() - t0 < seconds);
	printf("{\"qr_svg_per_s\": %.0f, \"svg_bytes\": %zu}\n", (double)n / (now() - t0), svg.len);
	buf_clear(&svg);
	return 0;
}
