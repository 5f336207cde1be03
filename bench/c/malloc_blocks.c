/* N blocks malloc'd, then all freed, in plain C: the reference for the block-set row of
 * bench/malloc.ts (the same pattern mallocBlocks + free('all') runs natively).
 * The pointer table is mmapped, as the block set's is, so the heap holds only blocks.
 * Usage: malloc_blocks SIZE_BYTES COUNT REPS → best ns per block (malloc + free). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  size_t size = strtoul(argv[1], NULL, 10);
  long count = strtol(argv[2], NULL, 10);
  long reps = strtol(argv[3], NULL, 10);
  void **table = mmap(NULL, (size_t)count * sizeof(void *), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (table == MAP_FAILED) return 1;
  double best = 1e300;
  for (long r = 0; r < reps; r++) {
    double start = now_ns();
    for (long i = 0; i < count; i++) {
      table[i] = malloc(size);
      if (table[i] == NULL) return 1;
    }
    for (long i = 0; i < count; i++) free(table[i]);
    double per = (now_ns() - start) / (double)count;
    if (per < best) best = per;
  }
  printf("%.2f\n", best);
  return 0;
}
