/* touch.c — the C reference for bench/touch.ts.
 *
 * usage: touch SIZE_BYTES RESIDENT_PASSES
 * Maps SIZE_BYTES of private anonymous memory (MADV_NOHUGEPAGE, like the bench's
 * vmprobe mapping), then stores one byte per page through a volatile pointer: once
 * over fresh pages (every store faults), then RESIDENT_PASSES times over the now
 * resident pages (loop and TLB only). clock_gettime(CLOCK_MONOTONIC) brackets each
 * loop and nothing else. Prints one JSON object: ns per page of each loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One volatile byte store per page; returns the loop's elapsed ns. */
static uint64_t store_per_page(volatile unsigned char *p, size_t pages, size_t page_bytes) {
  uint64_t start = now_ns();
  for (size_t i = 0, at = 0; i < pages; ++i, at += page_bytes) p[at] = 1;
  return now_ns() - start;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SIZE_BYTES RESIDENT_PASSES\n", argv[0]);
    return 2;
  }
  size_t size_bytes = strtoull(argv[1], NULL, 10);
  int resident_passes = atoi(argv[2]);
  size_t page_bytes = (size_t)sysconf(_SC_PAGESIZE);
  size_t pages = size_bytes / page_bytes;
  if (pages == 0 || resident_passes < 1) {
    fprintf(stderr, "%s: SIZE_BYTES must hold a page and RESIDENT_PASSES be >= 1\n", argv[0]);
    return 2;
  }
  unsigned char *base = mmap(NULL, pages * page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
    return 1;
  }
  if (madvise(base, pages * page_bytes, MADV_NOHUGEPAGE) != 0) {
    fprintf(stderr, "%s: madvise(MADV_NOHUGEPAGE): %s\n", argv[0], strerror(errno));
    return 1;
  }
  double fresh_ns_per_page = (double)store_per_page(base, pages, page_bytes) / (double)pages;
  printf("{\"pageSizeBytes\":%zu,\"pages\":%zu,\"freshNsPerPage\":%.4f,\"residentNsPerPage\":[", page_bytes, pages,
         fresh_ns_per_page);
  for (int pass = 0; pass < resident_passes; ++pass) {
    double ns_per_page = (double)store_per_page(base, pages, page_bytes) / (double)pages;
    printf("%s%.4f", pass == 0 ? "" : ",", ns_per_page);
  }
  printf("]}\n");
  munmap(base, pages * page_bytes);
  return 0;
}
