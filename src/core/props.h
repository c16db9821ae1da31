/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * props.h - a NIC's extra QEMU device properties ("props" key):
 * "name=value,name=value", appended to the NIC's -device.
 *
 * The rules here need no QEMU: the syntax (names of letters, digits, '_',
 * '-', '.'; values of letters, digits and "_.:/+@-", no commas), no name
 * twice, and no property qnm sets itself (netdev, mac, id, bus, addr,
 * multifunction) or that its backends cannot serve (mq=on, queues). Whether
 * the model has a property and whether the value fits its type is checked
 * against "-device MODEL,help" (guest/catalog.h: qnm_catalog_props_check()).
 */
#ifndef QNM_PROPS_H
#define QNM_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define QNM_PROP_NAME_MAX  64 /* incl. NUL */
#define QNM_PROP_VALUE_MAX 128
#define QNM_PROPS_COUNT	   32

/**
 * qnm_props_next() - the next "name=value" of a props string.
 * @pos:   where to read; advanced past the pair and its comma.
 * @name:  the name (QNM_PROP_NAME_MAX bytes; truncated if longer).
 * @value: the value (QNM_PROP_VALUE_MAX bytes; truncated if longer).
 * Return: true when a pair was read, false at the end of the string.
 */
bool qnm_props_next(const char **pos, char name[QNM_PROP_NAME_MAX], char value[QNM_PROP_VALUE_MAX]);

/**
 * qnm_check_props() - the QEMU-independent rules of a props string.
 * @props: the string ("" is fine).
 * @field: the field named in messages ("nic[n0].props").
 * @err:   why not: the pair and the rule it breaks.
 * Return: 0 or -EINVAL.
 */
int qnm_check_props(const char *props, const char *field, struct qnm_err *err);

#endif
