// sysinfo.h — host facts native code needs everywhere: the page size.
#ifndef VMPROBE_SYSINFO_H
#define VMPROBE_SYSINFO_H

#include <unistd.h>

#include <cstddef>

namespace vmprobe {

// sysconf(_SC_PAGESIZE), read once per process (it cannot change while it runs).
inline size_t PageSize() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace vmprobe

#endif  // VMPROBE_SYSINFO_H
