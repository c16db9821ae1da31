// SPDX-License-Identifier: GPL-2.0-or-later
/* tuntap.c - persistent TAP devices through /dev/net/tun. */
#include "build-config.h"

#include "host/tuntap.h"
#include "host/links.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TUN_DEV "/dev/net/tun"

static int open_tun(const char *action, struct qnm_err *err)
{
	int fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = -errno;

		if (e == -ENOENT || e == -ENODEV || e == -ENXIO)
			return qnm_err_set(err, e, "",
					   "%s: %s is missing (load the tun module: modprobe tun)",
					   action, TUN_DEV);
		if (e == -EACCES || e == -EPERM)
			return qnm_err_set(err, e, "", "%s: cannot open %s: %s", action, TUN_DEV,
					   strerror(-e));
		return qnm_host_err(err, e, action);
	}
	return fd;
}

int qnm_tap_create(const char *name, const struct qnm_tap_params *p, struct qnm_err *err)
{
	struct ifreq ifr;
	char action[64];
	uid_t owner;
	int fd, r;

	snprintf(action, sizeof(action), "create tap %s", name);
	if (!qnm_valid_ifname(name))
		return qnm_err_set(err, -EINVAL, "", "%s: not a valid interface name", action);
	if (if_nametoindex(name))
		return qnm_err_set(err, -EEXIST, "", "%s: an interface named %s already exists",
				   action, name);
	fd = open_tun(action, err);
	if (fd < 0)
		return fd;
	memset(&ifr, 0, sizeof(ifr));
	qnm_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	/* IFF_TUN_EXCL: fail instead of attaching to a TAP made meanwhile. */
	/* 0x8000 does not fit a signed short: store the bit pattern. */
	ifr.ifr_flags = (short)(unsigned short)(IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL);
	if (p && p->vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		close(fd);
		if (r == -EBUSY || r == -EEXIST)
			return qnm_err_set(err, -EEXIST, "",
					   "%s: an interface named %s already exists", action,
					   name);
		return qnm_host_err(err, r, action);
	}
	owner = p && p->owner != (uid_t)-1 ? p->owner : geteuid();
	if (ioctl(fd, TUNSETOWNER, (unsigned long)owner) < 0) {
		r = qnm_host_err(err, -errno, action);
		goto undo;
	}
	if (p && p->group != (gid_t)-1 && ioctl(fd, TUNSETGROUP, (unsigned long)p->group) < 0) {
		r = qnm_host_err(err, -errno, action);
		goto undo;
	}
	if (ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
		r = qnm_host_err(err, -errno, action);
		goto undo;
	}
	close(fd);
	return 0;
undo:
	/* Not persistent yet: closing the fd removes the device. */
	close(fd);
	return r;
}

int qnm_tap_delete(const char *name, struct qnm_err *err)
{
	struct ifreq ifr;
	char action[64];
	int fd, r;

	snprintf(action, sizeof(action), "delete tap %s", name);
	if (!qnm_valid_ifname(name))
		return qnm_err_set(err, -EINVAL, "", "%s: not a valid interface name", action);
	if (!if_nametoindex(name))
		return qnm_err_set(err, -ENODEV, "", "%s: no interface named %s", action, name);
	fd = open_tun(action, err);
	if (fd < 0)
		return fd;
	memset(&ifr, 0, sizeof(ifr));
	qnm_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		close(fd);
		if (r == -EINVAL)
			return qnm_err_set(err, r, "", "%s: %s is not a TAP device", action, name);
		if (r == -EBUSY)
			return qnm_err_set(err, r, "", "%s: %s is in use (is its guest running?)",
					   action, name);
		return qnm_host_err(err, r, action);
	}
	if (ioctl(fd, TUNSETPERSIST, 0UL) < 0) {
		r = qnm_host_err(err, -errno, action);
		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

bool qnm_tun_available(char *why, size_t size)
{
	int fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	snprintf(why, size, "cannot open %s: %s%s", TUN_DEV, strerror(errno),
		 errno == ENOENT ? " (load the tun module: modprobe tun)" : "");
	return false;
}
