// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - placeholder until the CLI lands. */
#include "build-config.h"
#include <stdio.h>
int main(void)
{
	return 0;
}
