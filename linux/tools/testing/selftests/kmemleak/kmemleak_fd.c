// SPDX-License-Identifier: GPL-2.0
/*
 * File-descriptor level access to /sys/kernel/debug/kmemleak for the
 * kmemleak selftests, where a shell cannot see what write() returned or
 * seek back on a descriptor.
 *
 *   kmemleak_fd FILE write CMD
 *	write(2) the bytes of CMD (a trailing newline only if CMD has one)
 *	in a single call and print what it returned: the byte count, or the
 *	errno name (EINVAL, EPERM, ...).
 *
 *   kmemleak_fd FILE rw CMD OUT1 OUT2
 *	open FILE read-write, write CMD, read to end of file into OUT1, seek
 *	back to 0 and read to end of file into OUT2. Prints
 *	"write=<ret> pos=<ret> read=<bytes> lseek=<ret> reread=<bytes>",
 *	where pos is the file position right after the write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *err_name(int err)
{
	static char buf[16];

	switch (err) {
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case EINTR:	return "EINTR";
	case EIO:	return "EIO";
	case EBADF:	return "EBADF";
	case ENOMEM:	return "ENOMEM";
	case EACCES:	return "EACCES";
	case EFAULT:	return "EFAULT";
	case EBUSY:	return "EBUSY";
	case EINVAL:	return "EINVAL";
	case ENOSPC:	return "ENOSPC";
	case ESPIPE:	return "ESPIPE";
	}
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void print_ret(const char *what, long ret)
{
	if (ret < 0)
		printf("%s%s", what, err_name(errno));
	else
		printf("%s%ld", what, ret);
}

/* Copy @fd from its current position to end of file into @path. */
static long copy_out(int fd, const char *path)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int out;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		perror(path);
		exit(2);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			perror(path);
			exit(2);
		}
		total += n;
	}
	if (n < 0) {
		int err = errno;

		close(out);
		errno = err;
		return -1;
	}
	close(out);
	return total;
}

int main(int argc, char **argv)
{
	const char *file, *op, *cmd;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s FILE write CMD | FILE rw CMD OUT1 OUT2\n",
			argv[0]);
		return 2;
	}
	file = argv[1];
	op = argv[2];
	cmd = argv[3];

	if (!strcmp(op, "write") && argc == 4) {
		fd = open(file, O_WRONLY);
		if (fd < 0) {
			perror(file);
			return 2;
		}
		print_ret("", write(fd, cmd, strlen(cmd)));
		putchar('\n');
		return 0;
	}
	if (!strcmp(op, "rw") && argc == 6) {
		fd = open(file, O_RDWR);
		if (fd < 0) {
			perror(file);
			return 2;
		}
		print_ret("write=", write(fd, cmd, strlen(cmd)));
		print_ret(" pos=", lseek(fd, 0, SEEK_CUR));
		print_ret(" read=", copy_out(fd, argv[4]));
		print_ret(" lseek=", lseek(fd, 0, SEEK_SET));
		print_ret(" reread=", copy_out(fd, argv[5]));
		putchar('\n');
		return 0;
	}
	fprintf(stderr, "%s: bad arguments\n", argv[0]);
	return 2;
}
