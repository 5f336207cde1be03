// stack_records.cc — WriteMark and WriteSample (see stack_records.h).
//
// Follows write(2), mincore(2) and proc(5) (status "VmStk", maps "[stack]").
#include "stack_records.h"

#include <sys/mman.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace vmprobe {

namespace {

// Copies `line` into `out` as the inside of a JSON string; returns bytes written.
size_t JsonEscape(const char* line, size_t length, char* out, size_t room) {
  size_t w = 0;
  for (size_t i = 0; i < length && w + 7 < room; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '"' || c == '\\') {
      out[w++] = '\\';
      out[w++] = static_cast<char>(c);
    } else if (c == '\t') {
      out[w++] = '\\';
      out[w++] = 't';
    } else if (c < 0x20) {
      w += static_cast<size_t>(std::snprintf(out + w, room - w, "\\u%04x", c));
    } else {
      out[w++] = static_cast<char>(c);
    }
  }
  out[w] = '\0';
  return w;
}

bool StartsWith(const char* line, size_t length, const char* prefix) {
  const size_t n = std::strlen(prefix);
  return length >= n && std::memcmp(line, prefix, n) == 0;
}

bool EndsWith(const char* line, size_t length, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return length >= n && std::memcmp(line + length - n, suffix, n) == 0;
}

void WriteAll(int fd, const char* data, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone: nothing to report to
    data += n;
    length -= static_cast<size_t>(n);
  }
}

// Resident pages of the mapping described by a maps line (its start-end parsed here,
// the only parsing this file does: the sample must be complete when it is written).
long long ResidentPages(const char* line, size_t pageBytes) {
  char* end = nullptr;
  const unsigned long long start = std::strtoull(line, &end, 16);
  if (end == nullptr || *end != '-') return -1;
  const unsigned long long stop = std::strtoull(end + 1, nullptr, 16);
  if (stop <= start) return -1;
  const size_t pages = static_cast<size_t>((stop - start) / pageBytes);
  unsigned char vec[256];
  long long resident = 0;
  for (size_t done = 0; done < pages;) {
    const size_t n = pages - done < sizeof vec ? pages - done : sizeof vec;
    if (mincore(reinterpret_cast<void*>(start + done * pageBytes), n * pageBytes, vec) != 0) return -1;
    for (size_t i = 0; i < n; ++i) resident += vec[i] & 1;
    done += n;
  }
  return resident;
}

// Appends `text` (NUL-terminated) or a decimal number; returns the new end.
VMPROBE_MEASURED char* Append(char* out, const char* text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}
VMPROBE_MEASURED char* AppendDecimal(char* out, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

}  // namespace

__attribute__((noinline)) void WriteSample(int fd, size_t pageBytes, uint64_t depth, uintptr_t sp, uint64_t depthBytes) {
  char vmStk[96] = "";
  char stackMap[320] = "";
  long long residentPages = -1;
  ForEachLine("/proc/self/status", [&](const char* line, size_t length) {
    if (!StartsWith(line, length, "VmStk:")) return true;
    JsonEscape(line, length, vmStk, sizeof vmStk);
    return false;
  });
  ForEachLine("/proc/self/maps", [&](const char* line, size_t length) {
    if (!EndsWith(line, length, "[stack]")) return true;
    JsonEscape(line, length, stackMap, sizeof stackMap);
    residentPages = ResidentPages(line, pageBytes);
    return false;
  });
  char record[kRecordBytes];
  int n = std::snprintf(record, sizeof record,
                        "{\"type\":\"record\",\"value\":{\"kind\":\"sample\",\"depthFrames\":%" PRIu64
                        ",\"stackPointer\":\"0x%" PRIxPTR "\",\"depthBytes\":%" PRIu64
                        ",\"vmStkLine\":\"%s\",\"stackMapLine\":\"%s\",\"stackResidentPages\":%lld}}\n",
                        depth, sp, depthBytes, vmStk, stackMap, residentPages);
  if (n > 0) WriteAll(fd, record, static_cast<size_t>(n) < sizeof record ? static_cast<size_t>(n) : sizeof record - 1);
}

__attribute__((noinline)) VMPROBE_MEASURED void WriteMark(int fd, uint64_t depth, uint64_t depthBytes) {
  char record[128];
  char* end = Append(record, "{\"type\":\"record\",\"value\":{\"kind\":\"mark\",\"depthFrames\":");
  end = AppendDecimal(end, depth);
  end = Append(end, ",\"depthBytes\":");
  end = AppendDecimal(end, depthBytes);
  end = Append(end, "}}\n");
  WriteAll(fd, record, static_cast<size_t>(end - record));
}

}  // namespace vmprobe
