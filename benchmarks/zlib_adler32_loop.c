/* Baseline for bench_checksum_cli.py: Adler-32 of a file with C zlib, read() into one reused
 * buffer of the same size ctaops uses. Prints the same "xxxxxxxx path" line. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BUFFER_BYTES PATH\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)strtoul(argv[1], NULL, 10);
    unsigned char *buf = malloc(size);
    int fd = open(argv[2], O_RDONLY);
    if (buf == NULL || fd < 0) {
        perror(argv[2]);
        return 1;
    }
    uLong value = adler32(0L, Z_NULL, 0);
    ssize_t n;
    while ((n = read(fd, buf, size)) > 0) {
        value = adler32(value, buf, (uInt)n);
    }
    if (n < 0) {
        perror(argv[2]);
        return 1;
    }
    printf("%08lx %s\n", value, argv[2]);
    close(fd);
    free(buf);
    return 0;
}
