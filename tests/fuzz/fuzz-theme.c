// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-theme.c - libFuzzer harness for the theme parser (ui/theme.c): any
 * bytes parse without a crash or a read past the input; a success gives
 * only valid colours and attributes and is deterministic; a failure leaves
 * the built-in theme and says "FILE:LINE: ...".
 */
#include "build-config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_ATTRS                                                                                  \
	(QNM_ATTR_BOLD | QNM_ATTR_DIM | QNM_ATTR_UNDERLINE | QNM_ATTR_REVERSE |                    \
	 QNM_ATTR_STANDOUT | QNM_ATTR_ITALIC | QNM_ATTR_BLINK)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qnm_theme a, b, builtin;
	struct qnm_err err;
	char *copy = malloc(size ? size : 1);
	size_t i;
	int r;

	/* a private copy: the parser must not need a terminating NUL */
	memcpy(copy, data, size);
	qnm_theme_init_builtin(&a);
	qnm_theme_init_builtin(&b);
	qnm_theme_init_builtin(&builtin);
	qnm_err_clear(&err);
	r = qnm_theme_parse(copy, size, "fuzz.theme", &a, &err);
	if (r == 0) {
		for (i = 0; i < QNM_ROLE__COUNT; i++) {
			const struct qnm_style *s = &a.styles[i];

			if (s->fg < -1 || s->fg > 255 || s->bg < -1 || s->bg > 255 ||
			    (s->attrs & ~ALL_ATTRS))
				abort();
		}
		if (qnm_theme_parse(copy, size, "fuzz.theme", &b, NULL) != 0 ||
		    memcmp(a.styles, b.styles, sizeof(a.styles)) != 0)
			abort();
	} else {
		if (r != -EINVAL || strncmp(err.msg, "fuzz.theme:", 11) != 0)
			abort();
		if (memcmp(a.styles, builtin.styles, sizeof(a.styles)) != 0)
			abort();
	}
	free(copy);
	return 0;
}
