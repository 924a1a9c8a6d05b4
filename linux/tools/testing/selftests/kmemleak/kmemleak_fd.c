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
 *
 *   kmemleak_fd FILE split CMD N
 *	write CMD on one descriptor in pieces of N bytes, one write(2)
 *	each, and print what each returned, separated by spaces.
 *
 *   kmemleak_fd FILE hex HEX
 *	write(2) the bytes HEX spells in hexadecimal (NUL bytes included).
 *
 *   kmemleak_fd FILE fill N C
 *	write(2) N bytes, all the character C, in a single call.
 *
 *   kmemleak_fd FILE open-as UID r|w
 *	become UID (user and group, no supplementary groups, hence no
 *	capabilities), open FILE for reading or writing, read or write one
 *	byte ("?") and print "ok" or the errno name of what failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

static int open_or_die(const char *file, int flags)
{
	int fd = open(file, flags);

	if (fd < 0) {
		perror(file);
		exit(2);
	}
	return fd;
}

static int write_split(const char *file, const char *cmd, long chunk)
{
	size_t len = strlen(cmd), off, n;
	int fd = open_or_die(file, O_WRONLY);

	if (chunk <= 0)
		return 2;
	for (off = 0; off < len; off += n) {
		n = len - off < (size_t)chunk ? len - off : (size_t)chunk;
		print_ret(off ? " " : "", write(fd, cmd + off, n));
	}
	putchar('\n');
	return 0;
}

static int write_hex(const char *file, const char *hex)
{
	size_t len = strlen(hex) / 2, i;
	char *buf = malloc(len + 1);
	unsigned int byte;

	if (!buf || strlen(hex) % 2)
		return 2;
	for (i = 0; i < len; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return 2;
		buf[i] = byte;
	}
	print_ret("", write(open_or_die(file, O_WRONLY), buf, len));
	putchar('\n');
	return 0;
}

static int write_fill(const char *file, long n, char c)
{
	char *buf = malloc(n > 0 ? n : 1);

	if (!buf || n <= 0)
		return 2;
	memset(buf, c, n);
	print_ret("", write(open_or_die(file, O_WRONLY), buf, n));
	putchar('\n');
	return 0;
}

static int open_as(const char *file, long uid, const char *how)
{
	int wr = !strcmp(how, "w"), fd;
	char c = '?';

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("setuid");
		return 2;
	}
	fd = open(file, wr ? O_WRONLY : O_RDONLY);
	if (fd < 0 || (wr ? write(fd, &c, 1) : read(fd, &c, 1)) < 0)
		printf("%s\n", err_name(errno));
	else
		printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *file, *op, *cmd;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s FILE OP ARGS (see its source)\n",
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
	if (!strcmp(op, "split") && argc == 5)
		return write_split(file, cmd, atol(argv[4]));
	if (!strcmp(op, "hex") && argc == 4)
		return write_hex(file, cmd);
	if (!strcmp(op, "fill") && argc == 5)
		return write_fill(file, atol(cmd), argv[4][0]);
	if (!strcmp(op, "open-as") && argc == 5)
		return open_as(file, atol(cmd), argv[4]);
	fprintf(stderr, "%s: bad arguments\n", argv[0]);
	return 2;
}
