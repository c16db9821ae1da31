// SPDX-License-Identifier: GPL-2.0-or-later
/* props.c - the QEMU-independent rules of a NIC's device properties (see props.h). */
#include "build-config.h"

#include "core/props.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Properties qnm sets itself or cannot serve, and why. */
struct reserved_prop {
	const char *name;
	const char *why;
};

static const struct reserved_prop reserved[] = {
	{ "netdev", "qnm connects the card to its backend itself (netdev=ID)" },
	{ "mac", "set the NIC's mac key instead" },
	{ "id", "the NIC's id key names it" },
	{ "bus", "qnm places every NIC on a PCI slot or root port itself" },
	{ "addr", "qnm places every NIC on a PCI slot or root port itself" },
	{ "multifunction", "qnm places every NIC on a PCI slot or root port itself" },
	{ "queues",
	  "queues=N is an option of the netdev, not of the device, and qnm's backends give "
	  "every NIC one queue pair" },
};

static bool is_on(const char *v)
{
	return strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0;
}

bool qnm_props_next(const char **pos, char name[QNM_PROP_NAME_MAX], char value[QNM_PROP_VALUE_MAX])
{
	const char *p = *pos, *eq, *end;
	size_t n;

	if (!*p)
		return false;
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	eq = memchr(p, '=', (size_t)(end - p));
	n = (size_t)((eq ? eq : end) - p);
	snprintf(name, QNM_PROP_NAME_MAX, "%.*s", (int)n, p);
	value[0] = '\0';
	if (eq)
		snprintf(value, QNM_PROP_VALUE_MAX, "%.*s", (int)(end - eq - 1), eq + 1);
	*pos = *end ? end + 1 : end;
	return true;
}

static bool valid_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

/* One pair: its syntax, then the reserved names and values. */
static int check_pair(const char *pair, size_t plen, const char *field, struct qnm_err *err)
{
	char name[QNM_PROP_NAME_MAX] = "", value[QNM_PROP_VALUE_MAX] = "",
	     buf[QNM_PROP_NAME_MAX + QNM_PROP_VALUE_MAX];
	const char *p = buf, *eq;
	size_t i;

	snprintf(buf, sizeof(buf), "%.*s", (int)plen, pair);
	eq = memchr(pair, '=', plen);
	if (!eq || eq == pair || eq == pair + plen - 1)
		return qnm_err_set(err, -EINVAL, field,
				   "%s: '%s' is not NAME=VALUE (e.g. rx_queue_size=512)", field,
				   buf);
	if ((size_t)(eq - pair) >= QNM_PROP_NAME_MAX ||
	    plen - (size_t)(eq - pair) > QNM_PROP_VALUE_MAX)
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: '%.40s...' is too long (names up to %d bytes, values up to %d)", field,
			buf, QNM_PROP_NAME_MAX - 1, QNM_PROP_VALUE_MAX - 1);
	qnm_props_next(&p, name, value);
	if (!(name[0] >= 'a' && name[0] <= 'z') && !(name[0] >= 'A' && name[0] <= 'Z'))
		return qnm_err_set(err, -EINVAL, field,
				   "%s: property name '%s' must start with a letter", field, name);
	if (!valid_chars(name, "_-."))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: property name '%s' may only hold letters, digits, '_', '-' and '.'",
			field, name);
	if (!valid_chars(value, "_.:/+@-"))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: value '%s' of %s may only hold letters, digits and _.:/+@- (no commas or spaces)",
			field, value, name);
	for (i = 0; i < QNM_ARRAY_SIZE(reserved); i++)
		if (strcmp(name, reserved[i].name) == 0)
			return qnm_err_set(err, -EINVAL, field, "%s: %s cannot be set here: %s",
					   field, name, reserved[i].why);
	if (strcmp(name, "mq") == 0 && is_on(value))
		return qnm_err_set(
			err, -EINVAL, field,
			"%s: mq=on needs a multi-queue netdev (-netdev tap,queues=N on a multi_queue "
			"TAP); qnm's backends give every NIC one queue pair (user, slirp, passt and "
			"private have one, qnm's TAPs are made single-queue), so the extra queues "
			"would carry nothing: leave mq off",
			field);
	return 0;
}

int qnm_check_props(const char *props, const char *field, struct qnm_err *err)
{
	const char *p = props, *end;
	char seen[QNM_PROPS_COUNT][QNM_PROP_NAME_MAX];
	size_t n = 0, i;
	int r;

	while (*p) {
		char name[QNM_PROP_NAME_MAX], value[QNM_PROP_VALUE_MAX];
		const char *q = p;

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: an empty property (two commas, or one at an end); "
					   "values cannot hold commas",
					   field);
		r = check_pair(p, (size_t)(end - p), field, err);
		if (r)
			return r;
		qnm_props_next(&q, name, value);
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], name) == 0)
				return qnm_err_set(err, -EINVAL, field, "%s: %s is given twice",
						   field, name);
		if (n == QNM_PROPS_COUNT)
			return qnm_err_set(err, -EINVAL, field, "%s: at most %d properties", field,
					   QNM_PROPS_COUNT);
		memcpy(seen[n++], name, sizeof(name));
		if (!*end)
			break;
		p = end + 1;
		if (!*p)
			return qnm_err_set(err, -EINVAL, field,
					   "%s: an empty property (two commas, or one at an end); "
					   "values cannot hold commas",
					   field);
	}
	return 0;
}
