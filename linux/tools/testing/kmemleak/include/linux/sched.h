/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/crc32.c includes include/linux/sched.h but uses nothing of it; the
 * kernel's pulls in most of the kernel's headers, so it is replaced.
 */
#ifndef __KMEMLEAK_SHIM_SCHED_H
#define __KMEMLEAK_SHIM_SCHED_H
#endif
