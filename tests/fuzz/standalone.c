// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * standalone.c - runs a libFuzzer harness over files given on the command
 * line, so every build (not only --enable-fuzzing) replays the corpus.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *buf;
		size_t len;
		int r = qnm_read_file(argv[i], 1 << 24, &buf, &len);

		if (r) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
