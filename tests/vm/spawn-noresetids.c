// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim that lets GNU make run its recipes on the harness kernel.
 *
 * The kernel is tinyconfig-based, without CONFIG_MULTIUSER, so setresuid()
 * fails with ENOSYS. make 4.3 starts recipes with posix_spawn() and asks it
 * to reset the effective IDs to the real ones (POSIX_SPAWN_RESETIDS), which
 * glibc does with setresuid() in the child: every recipe then fails with
 * "make: /bin/sh: Function not implemented". In the VM everything runs as
 * root, so the IDs are already the real ones and the flag can be dropped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <spawn.h>

int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)
{
	static int (*real)(posix_spawnattr_t *attr, short flags);

	if (!real)
		real = (int (*)(posix_spawnattr_t *, short))
			dlsym(RTLD_NEXT, "posix_spawnattr_setflags");
	return real(attr, flags & ~POSIX_SPAWN_RESETIDS);
}
