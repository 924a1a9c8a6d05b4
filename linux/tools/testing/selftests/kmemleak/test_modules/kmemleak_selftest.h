/* SPDX-License-Identifier: GPL-2.0 */
/* What kmemleak_selftest.ko exports to the other test modules. */
#ifndef KMEMLEAK_SELFTEST_H
#define KMEMLEAK_SELFTEST_H

void kmemleak_selftest_keep(void *p);

#endif /* KMEMLEAK_SELFTEST_H */
