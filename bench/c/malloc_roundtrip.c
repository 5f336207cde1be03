/* malloc+free round trip in plain C: the reference for bench/malloc.ts.
 * Usage: malloc_roundtrip SIZE_BYTES ITERATIONS REPS → best ns per round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  size_t size = strtoul(argv[1], NULL, 10);
  long iterations = strtol(argv[2], NULL, 10);
  long reps = strtol(argv[3], NULL, 10);
  double best = 1e300;
  for (long r = 0; r < reps; r++) {
    double start = now_ns();
    for (long i = 0; i < iterations; i++) {
      void *p = malloc(size);
      /* Keep the compiler from pairing malloc and free away. */
      __asm__ volatile("" : : "r"(p) : "memory");
      free(p);
    }
    double per = (now_ns() - start) / (double)iterations;
    if (per < best) best = per;
  }
  printf("%.2f\n", best);
  return 0;
}
