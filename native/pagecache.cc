// pagecache.cc — posix_fadvise(2) on a file descriptor the caller opened.
//
// POSIX_FADV_DONTNEED drops the file's clean, unmapped pages from the page cache:
// that is how the `file` step makes the next access come from disk. posix_fadvise
// returns the error number instead of setting errno.
#include "pagecache.h"

#include <fcntl.h>

#include "args.h"
#include "constants.h"
#include "errors.h"

namespace vmprobe {

// fadvise(fd, offsetBytes, lengthBytes, advice)
Napi::Value Fadvise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = static_cast<int>(ReadCount(info[0], "fd", 0, 0x7fffffff));
  const uint64_t offset = ReadCount(info[1], "offsetBytes", 0, kMaxSafeInteger);
  const uint64_t length = ReadCount(info[2], "lengthBytes", 0, kMaxSafeInteger);
  const NamedValue& advice = ReadNamed(info[3], "advice", kFadviseTable);
  const int err = posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length), static_cast<int>(advice.value));
  if (err != 0) ThrowErrno(env, err, "posix_fadvise", "");
  return env.Undefined();
}

}  // namespace vmprobe
