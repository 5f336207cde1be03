/* mincore_scan.c — the C reference for bench/mincore-scan.ts.
 *
 * usage: mincore_scan SIZE_BYTES REPETITIONS PAGE_INDEX...
 * Maps SIZE_BYTES of private anonymous memory with MAP_NORESERVE, writes one byte to
 * each listed page, then counts resident pages with mincore(2) over 1 MiB vector
 * chunks (bit 0 only, as mincore(2) says): once untimed, reporting how much the peak
 * RSS (VmHWM, reset first by writing "5" to /proc/self/clear_refs, Linux 4.0+) grew
 * across it, then REPETITIONS times with clock_gettime around each whole scan.
 * Prints one JSON object.
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

#define CHUNK_BYTES (1u << 20) /* mincore vector bytes per call */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* VmHWM from /proc/self/status in bytes, or -1. */
static long long vm_hwm_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return -1;
  char line[256];
  long long kib = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (sscanf(line, "VmHWM: %lld kB", &kib) == 1) break;
  }
  fclose(f);
  return kib < 0 ? -1 : kib * 1024;
}

/* Resets VmHWM to the current RSS; 0 on success, else errno. */
static int reset_hwm(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL) return errno;
  int err = fputs("5", f) == EOF ? errno : 0;
  if (fclose(f) != 0 && err == 0) err = errno;
  return err;
}

/* Resident pages of [base, base + pages * page_bytes); -1 on a mincore failure. */
static long long count_resident(unsigned char *base, size_t pages, size_t page_bytes) {
  unsigned char *vec = malloc(CHUNK_BYTES);
  if (vec == NULL) return -1;
  long long resident = 0;
  for (size_t done = 0; done < pages;) {
    size_t n = pages - done < CHUNK_BYTES ? pages - done : CHUNK_BYTES;
    if (mincore(base + done * page_bytes, n * page_bytes, vec) != 0) {
      free(vec);
      return -1;
    }
    for (size_t i = 0; i < n; ++i) resident += vec[i] & 1;
    done += n;
  }
  free(vec);
  return resident;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SIZE_BYTES REPETITIONS PAGE_INDEX...\n", argv[0]);
    return 2;
  }
  size_t size_bytes = strtoull(argv[1], NULL, 10);
  int repetitions = atoi(argv[2]);
  size_t page_bytes = (size_t)sysconf(_SC_PAGESIZE);
  size_t pages = size_bytes / page_bytes;
  unsigned char *base = mmap(NULL, pages * page_bytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
    return 1;
  }
  for (int a = 3; a < argc; ++a) {
    size_t page = strtoull(argv[a], NULL, 10);
    if (page >= pages) {
      fprintf(stderr, "%s: page index %zu is beyond the mapping's %zu pages\n", argv[0], page, pages);
      return 2;
    }
    ((volatile unsigned char *)base)[page * page_bytes] = 1;
  }

  int reset_err = reset_hwm();
  long long hwm_before = vm_hwm_bytes();
  long long resident = count_resident(base, pages, page_bytes);
  long long hwm_after = vm_hwm_bytes();
  if (resident < 0) {
    fprintf(stderr, "%s: mincore: %s\n", argv[0], strerror(errno));
    return 1;
  }
  printf("{\"pages\":%zu,\"residentPages\":%lld,", pages, resident);
  if (reset_err == 0 && hwm_before >= 0 && hwm_after >= 0)
    printf("\"hwmDeltaBytes\":%lld,\"hwmError\":null,", hwm_after - hwm_before);
  else
    printf("\"hwmDeltaBytes\":null,\"hwmError\":\"clear_refs: %s\",", strerror(reset_err != 0 ? reset_err : ENOENT));
  printf("\"pagesPerSecond\":[");
  for (int rep = 0; rep < repetitions; ++rep) {
    uint64_t start = now_ns();
    long long again = count_resident(base, pages, page_bytes);
    uint64_t elapsed_ns = now_ns() - start;
    if (again != resident) {
      fprintf(stderr, "%s: resident pages changed between scans (%lld, then %lld)\n", argv[0], resident, again);
      return 1;
    }
    printf("%s%.1f", rep == 0 ? "" : ",", (double)pages * 1e9 / (double)elapsed_ns);
  }
  printf("]}\n");
  munmap(base, pages * page_bytes);
  return 0;
}
