/* stack_recurse.c — the reference for bench/stack.ts: a plain C recursion whose every
 * level takes a variable-length frame of FRAME bytes, touches one byte per page of it
 * from the top down (as native/stack.cc does), and stops once DEPTH bytes of stack
 * below the first frame are in use. Prints the best ns per frame over REPS passes
 * (the first pass grows the stack; later passes run on resident pages).
 * Usage: stack_recurse FRAME DEPTH REPS */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static size_t frame_bytes, page_bytes;
static uintptr_t top, stop_at;

/* noinline + a write after the call: no tail call, no loop, the frame stays alive. */
__attribute__((noinline)) static uint64_t recurse(uint64_t depth) {
  volatile uint8_t frame[frame_bytes];
  for (size_t off = frame_bytes; off > page_bytes; off -= page_bytes) frame[off - 1] = (uint8_t)depth;
  frame[0] = (uint8_t)depth;
  if (top - (uintptr_t)&frame[0] >= stop_at) return depth;
  uint64_t deepest = recurse(depth + 1);
  frame[0] = (uint8_t)deepest;
  return deepest;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s FRAME DEPTH REPS\n", argv[0]);
    return 2;
  }
  frame_bytes = strtoull(argv[1], NULL, 10);
  stop_at = strtoull(argv[2], NULL, 10);
  int reps = atoi(argv[3]);
  page_bytes = (size_t)sysconf(_SC_PAGESIZE);
  volatile uint8_t here = 0;
  top = (uintptr_t)&here;
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    uint64_t t0 = now_ns();
    uint64_t frames = recurse(1);
    double ns = (double)(now_ns() - t0) / (double)frames;
    if (ns < best) best = ns;
  }
  printf("%.3f\n", best);
  return 0;
}
