// stack_records.h — the stack experiment's record writer: the JSON lines the sampled
// recursion (stack.cc) writes with write(2) the moment each exists, so that what was
// written before the process died reaches the parent. Nothing here allocates: /proc
// files are read with read(2) into a small buffer on the stack, records are formatted
// into another. /proc text is not interpreted beyond finding the one line asked for;
// the lines travel raw and TypeScript parses them (lib/experiments/stack/records.ts).
//
// Records are JSON lines in the child channel's envelope (lib/child/entry.ts):
//   {"type":"record","value":{"kind":"mark",...}}    every time the stack in use
//       crosses into a new page: the depth at death is known to within one page;
//   {"type":"record","value":{"kind":"sample",...}}  every sampleEveryFrames frames:
//       stack pointer, bytes in use, the VmStk line, the [stack] maps line and how
//       many pages of that mapping are resident (mincore).
#ifndef VMPROBE_STACK_RECORDS_H
#define VMPROBE_STACK_RECORDS_H

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "measure.h"

namespace vmprobe {

// Small on purpose: the sampler runs on the very stack it measures, near the limit.
constexpr size_t kLineBufferBytes = 1024;
constexpr size_t kRecordBytes = 768;

// Calls onLine(line, length) for each line of `path` until it returns false. Lines
// longer than the buffer are dropped (the lines asked for are short).
template <typename F>
void ForEachLine(const char* path, F onLine) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[kLineBufferBytes];
  size_t have = 0;
  bool skipping = false;  // inside an over-long line
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    size_t start = 0;
    for (size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      bool keepGoing = skipping ? true : onLine(buf + start, i - start);
      skipping = false;
      start = i + 1;
      if (!keepGoing) {
        close(fd);
        return;
      }
    }
    if (start == 0 && have == sizeof buf) {
      skipping = true;
      have = 0;
      continue;
    }
    std::memmove(buf, buf + start, have - start);
    have -= start;
  }
  if (have > 0 && !skipping) onLine(buf, have);
  close(fd);
}

// A mark: {"kind":"mark","depthFrames","depthBytes"}. Formatted by hand, not with
// snprintf: printf needs kilobytes of stack, and a mark is written at every page of
// depth, at most one frame from the limit. Its own stack use stays far below a page so
// the deepest mark is within a frame of the death.
__attribute__((noinline)) VMPROBE_MEASURED void WriteMark(int fd, uint64_t depth, uint64_t depthBytes);

// A full sample at stack pointer `sp`, `depthBytes` below the stack's top: the VmStk
// line of /proc/self/status, the [stack] line of /proc/self/maps and its resident pages
// (mincore). noinline keeps its buffers out of the recursing frames.
__attribute__((noinline)) void WriteSample(int fd, size_t pageBytes, uint64_t depth, uintptr_t sp, uint64_t depthBytes);

}  // namespace vmprobe

#endif  // VMPROBE_STACK_RECORDS_H
