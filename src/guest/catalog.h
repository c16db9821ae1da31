/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * catalog.h - the NIC device models a QEMU binary offers.
 *
 * The catalog is read from "qemu-system-ARCH -device help", section
 * "Network devices:", whose lines look like
 *
 *   name "e1000", bus PCI, alias "e1000-82540em", desc "Intel Gigabit Ethernet"
 *   name "rtl8139", bus PCI
 *   name "xen_nic", bus XenBus, no-user
 *
 * Running QEMU takes ~100 ms, so the result is cached in
 * $XDG_CACHE_HOME/qnm/models-ARCH, keyed by the binary's path, mtime and
 * size (an upgraded QEMU is noticed). When no QEMU binary can be run, a
 * built-in list of the common x86 models is returned instead and marked
 * as such (QNM_CATALOG_BUILTIN), so forms still offer sensible choices.
 */
#ifndef QNM_CATALOG_H
#define QNM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/props.h"
#include "core/util.h"

/**
 * struct qnm_nic_model - one NIC device model.
 * @name:    the -device name ("e1000"); never NULL.
 * @bus:     bus it plugs into ("PCI", "usb-bus", "ISA", ...); never NULL
 *           ("" when QEMU did not say).
 * @alias:   alternative name QEMU accepts, or NULL.
 * @desc:    QEMU's description, or NULL (many models have none).
 * @no_user: QEMU marks it "no-user": it cannot be added with -device.
 * @hint:    qnm's advice for a beginner, or NULL: a static string from the
 *           table in catalog.c (not owned).
 */
struct qnm_nic_model {
	char *name;
	char *bus;
	char *alias;
	char *desc;
	bool no_user;
	const char *hint;
};

/** enum qnm_catalog_source - where a catalog came from. */
enum qnm_catalog_source {
	QNM_CATALOG_QEMU,    /* QEMU was just run */
	QNM_CATALOG_CACHE,   /* the cache of an earlier run, still matching the binary */
	QNM_CATALOG_BUILTIN, /* qnm's built-in list: QEMU could not be run */
};

/**
 * struct qnm_catalog - the NIC models of one QEMU target.
 * @arch:   the target ("x86_64").
 * @qemu:   path of the QEMU binary used, or NULL (built-in list).
 * @source: where the list came from.
 * @note:   why the built-in list is used (e.g. "qemu-system-arm not found
 *          in PATH"), or NULL.
 * @models: the models in QEMU's order, @n of them.
 */
struct qnm_catalog {
	char arch[16];
	char *qemu;
	enum qnm_catalog_source source;
	char *note;
	struct qnm_nic_model *models;
	size_t n;
};

/** enum qnm_guest_os - what kind of guest a model is recommended for. */
enum qnm_guest_os {
	QNM_GUEST_LINUX,   /* a current Linux/BSD guest: virtio drivers built in */
	QNM_GUEST_WINDOWS, /* Windows installers and old guests: no virtio drivers */
};

/**
 * qnm_catalog_new() - an empty catalog.
 * @arch: the QEMU target (copied, truncated to 15 bytes).
 * Return: the catalog; free with qnm_catalog_free().
 */
struct qnm_catalog *qnm_catalog_new(const char *arch);

/** qnm_catalog_free() - free @c and everything it owns (NULL is fine). */
void qnm_catalog_free(struct qnm_catalog *c);

/**
 * qnm_catalog_parse() - add the models of the "Network devices:" section
 * of "-device help" output to @c.
 * @c:    the catalog to fill (models are appended).
 * @text: QEMU's output; any bytes, need not be NUL-terminated.
 * @len:  its length.
 * @err:  filled on failure.
 *
 * Lines of the section that do not start with name "..." are skipped; a
 * name or alias is kept only when it is 1-47 bytes of [A-Za-z0-9_.-] (so
 * it can be put on a QEMU command line unescaped); bus and description are
 * kept when printable. Unknown trailing attributes are ignored.
 *
 * Return: 0, or -ENOENT when the text has no "Network devices:" section
 * (a binary that is not QEMU, or an unexpected format).
 */
int qnm_catalog_parse(struct qnm_catalog *c, const char *text, size_t len, struct qnm_err *err);

/**
 * qnm_catalog_format() - @c as a "Network devices:" section in QEMU's own
 * format (how the cache stores it): qnm_catalog_parse() of the result
 * gives back the same models.
 * Return: new string, caller frees.
 */
char *qnm_catalog_format(const struct qnm_catalog *c);

/**
 * qnm_catalog_builtin() - qnm's built-in list of common x86 NIC models
 * (e1000, e1000e, rtl8139, virtio-net-pci, i82559er, ne2k_pci, pcnet,
 * vmxnet3, usb-net, ...), used when QEMU cannot be run.
 * @arch: the QEMU target (recorded in the result).
 * @note: why it is used (copied), or NULL.
 * Return: a catalog with source QNM_CATALOG_BUILTIN; free with qnm_catalog_free().
 */
struct qnm_catalog *qnm_catalog_builtin(const char *arch, const char *note);

/**
 * qnm_catalog_run_qemu() - run "QEMU -device help" and return its stdout.
 * @qemu:       path of the binary (run with posix_spawn, no shell, stdin
 *              /dev/null, stderr discarded).
 * @timeout_ms: kill it (SIGKILL) when it has not finished by then.
 * @out:        its output, NUL-terminated (caller frees).
 * @len:        its length.
 * @err:        filled on failure.
 *
 * Return: 0, -ENOENT/-EACCES (cannot be run), -ETIMEDOUT, -EFBIG (more
 * than 4 MiB of output), or -EIO (it exited with a non-zero status).
 */
int qnm_catalog_run_qemu(const char *qemu, int timeout_ms, char **out, size_t *len,
			 struct qnm_err *err);

/**
 * qnm_catalog_find_qemu() - find "qemu-system-@arch" in $PATH.
 * @arch: the QEMU target; must be a plain name (no '/').
 * Return: the absolute path (caller frees), or NULL when it is not found.
 */
char *qnm_catalog_find_qemu(const char *arch);

/**
 * qnm_catalog_load() - the catalog of @arch: from the cache when it still
 * matches the QEMU binary, else by running QEMU (and refreshing the cache),
 * else the built-in list.
 * @arch:       QEMU target ("x86_64"); must be a plain name.
 * @qemu:       binary to ask, or NULL to search "qemu-system-@arch" in $PATH.
 * @cache_dir:  directory of the cache (created 0700 if missing), or NULL
 *              for no caching.
 * @timeout_ms: how long QEMU may take.
 * @out:        the catalog (caller frees with qnm_catalog_free()).
 * @err:        filled on failure.
 *
 * A failure to read or write the cache is not an error (the catalog is
 * then simply not cached). The fallback never fails either: when QEMU is
 * absent or broken the built-in list comes back, with its @note saying why.
 *
 * Return: 0, or -EINVAL when @arch is not a plain name.
 */
int qnm_catalog_load(const char *arch, const char *qemu, const char *cache_dir, int timeout_ms,
		     struct qnm_catalog **out, struct qnm_err *err);

/**
 * qnm_catalog_find() - the model called @name (or with @name as alias).
 * Return: the model (owned by @c), or NULL.
 */
const struct qnm_nic_model *qnm_catalog_find(const struct qnm_catalog *c, const char *name);

/**
 * qnm_catalog_resolve() - the model a user means by @name: a model's name
 * or QEMU alias in any case ("E1000", "e1000-82540em"), or libvirt's name
 * ("virtio" is virtio-net-pci).
 * @c:    the catalog.
 * @name: what the user typed.
 * @err:  why not (field "model"): a name not in @c, with the closest
 *        models as advice ("did you mean e1000?"), or a model QEMU marks
 *        no-user.
 * Return: the model (its ->name is the one to save), or NULL.
 */
const struct qnm_nic_model *qnm_catalog_resolve(const struct qnm_catalog *c, const char *name,
						struct qnm_err *err);

/**
 * qnm_catalog_closest() - the usable model whose name is closest to @name
 * (a typo, or the start of a longer name), or NULL when none is close.
 */
const struct qnm_nic_model *qnm_catalog_closest(const struct qnm_catalog *c, const char *name);

/**
 * qnm_catalog_recommended() - the model to suggest for a kind of guest:
 * virtio-net-pci for Linux guests (fastest, driver built in), e1000 for
 * Windows installers and old guests (driver shipped everywhere since 2000).
 * @c:  the catalog (a model it lacks is not suggested), or NULL for the
 *      plain suggestion.
 * @os: the kind of guest.
 * Return: a static model name, or NULL when @c has none of the candidates.
 */
const char *qnm_catalog_recommended(const struct qnm_catalog *c, enum qnm_guest_os os);

/** qnm_catalog_source_name() - "qemu", "cache" or "builtin". */
const char *qnm_catalog_source_name(enum qnm_catalog_source s);

/**
 * struct qnm_dev_prop - one property of a device model, from
 * "-device MODEL,help" ("  rx_queue_size=<uint16> - (default: 256)").
 * @name: the property's name.
 * @type: QEMU's type of it ("bool", "uint16", "OnOffAuto", "str", ...).
 */
struct qnm_dev_prop {
	char name[QNM_PROP_NAME_MAX];
	char type[32];
};

/**
 * struct qnm_dev_props - the properties of one device model.
 * @model:  the model ("virtio-net-pci").
 * @qemu:   the QEMU binary asked, or NULL (built-in list).
 * @source: QEMU just now, the cache of an earlier run, or qnm's built-in list.
 * @v:      the properties in QEMU's order, @n of them.
 */
struct qnm_dev_props {
	char model[48];
	char *qemu;
	enum qnm_catalog_source source;
	struct qnm_dev_prop *v;
	size_t n;
};

/** qnm_dev_props_free() - free @p and everything it owns (NULL is fine). */
void qnm_dev_props_free(struct qnm_dev_props *p);

/**
 * qnm_dev_props_parse() - add the "NAME=<TYPE>" lines of "-device
 * MODEL,help" output to @p (other lines are skipped).
 * Return: 0, or -ENOENT when the text lists no property.
 */
int qnm_dev_props_parse(struct qnm_dev_props *p, const char *text, size_t len);

/**
 * qnm_dev_props_builtin() - qnm's built-in properties of @model (those
 * of QEMU 7.2 for virtio-net-pci, e1000, e1000e and rtl8139), used when
 * QEMU cannot be asked.
 * Return: the list (source QNM_CATALOG_BUILTIN), or NULL for other models.
 */
struct qnm_dev_props *qnm_dev_props_builtin(const char *model);

/**
 * qnm_catalog_props_load() - the properties of @model: from the cache
 * ($cache_dir/props-ARCH-MODEL, keyed like the model catalog) when it still
 * matches the QEMU binary, else by running "QEMU -device MODEL,help" (and
 * refreshing the cache), else qnm's built-in list.
 * @arch:       QEMU target; a plain name.
 * @qemu:       binary to ask, or NULL to search "qemu-system-@arch" in $PATH.
 * @model:      the model's catalog name (qnm_catalog_resolve()).
 * @cache_dir:  directory of the cache, or NULL for no caching.
 * @timeout_ms: how long QEMU may take.
 * @out:        the list, or NULL when neither QEMU nor the built-in list
 *              knows @model (then nothing can judge its properties).
 * @err:        filled on failure.
 * Return: 0, or -EINVAL when @arch or @model is not a plain name.
 */
int qnm_catalog_props_load(const char *arch, const char *qemu, const char *model,
			   const char *cache_dir, int timeout_ms, struct qnm_dev_props **out,
			   struct qnm_err *err);

/** qnm_dev_props_find() - the property @name of @p (owned by @p), or NULL. */
const struct qnm_dev_prop *qnm_dev_props_find(const struct qnm_dev_props *p, const char *name);

/**
 * qnm_dev_props_check() - a props string ("name=value,...") against the
 * properties of its model: every name must be one of @p (else "did you
 * mean" advice), every value fit its type (bool: on/off, uintN: 0 to its
 * maximum, OnOffAuto: on/off/auto) and the rules QEMU checks only at start
 * (virtio-net ring sizes: a power of 2 from 256 to 1024).
 * @p:     the model's properties.
 * @props: the string, already through qnm_check_props().
 * @field: the field named in messages ("nic[n0].props").
 * @err:   why not.
 * Return: 0 or -EINVAL.
 */
int qnm_dev_props_check(const struct qnm_dev_props *p, const char *props, const char *field,
			struct qnm_err *err);

#endif
