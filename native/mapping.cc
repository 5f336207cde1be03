// mapping.cc — Mapping: create, protect, advise, sync, expose and release one mapping.
//
// Follows mmap(2), mprotect(2), madvise(2), msync(2). Hazards handled here:
//   - a failed step after mmap (alignment trim, madvise for huge pages) unmaps what
//     was made, so no half-made mapping is left behind;
//   - touching PROT_NONE memory or a file page past EOF kills the process (SIGSEGV,
//     SIGBUS): touch() refuses both (checking the file's size right before touching);
//     asArrayBuffer() only exposes read-write ANONYMOUS memory (a file can shrink under
//     a buffer);
//   - JS never reaches unmapped memory: the ArrayBuffer is detached before munmap where
//     the caller says that is safe (see Unmap), and while any buffer may still hold the
//     memory (not detached, or transferred within the thread) unmap() replaces the
//     pages with zero memory instead of unmapping, and protect() refuses to take rights
//     away;
//   - a file truncated by another process during a touch raises SIGBUS: caught
//     (sigbus_guard.h) and reported as an error.
// Only regular files can be mapped: device files (/dev/mem, ...) are refused.
#include "mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "constants.h"
#include "errors.h"
#include "live.h"
#include "residency.h"
#include "sigbus_guard.h"
#include "sysinfo.h"
#include "touch.h"

namespace vmprobe {

namespace {

const char* ProtName(int prot) {
  const NamedValue* p = FindByValue(kProtectionTable, prot);
  return p == nullptr ? "unknown" : p->name;
}

int ReadProt(const Napi::Value& v, const char* name) {
  return static_cast<int>(ReadNamed(v, name, kProtectionTable).value);
}


size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }


// Closes fd on every exit path of the constructor unless released.
struct FdGuard {
  int fd = -1;
  ~FdGuard() { if (fd >= 0) close(fd); }
  int Release() { int f = fd; fd = -1; return f; }
};

// A regular file opened to be mapped: its descriptor, the offset and the bytes to map.
struct FileTarget {
  int fd;
  uint64_t offsetBytes;
  uint64_t sizeBytes;
};

// Checks path, fileOffsetBytes and sizeBytes of a file mapping and opens the file
// (read-write when `needWrite`). stat first: refuse FIFOs, devices and directories
// before open(2), which could block (a FIFO without a writer) or have side effects
// (some devices). Then open with O_NONBLOCK and check again on the descriptor, in case
// the path changed. Throws (closing what it opened) on any failure.
FileTarget OpenFileToMap(Napi::Env env, Napi::Object opts, Napi::Value pathValue, bool needWrite, size_t pageSize) {
  if (!pathValue.IsString()) ThrowArgType(env, "path", "of type string", pathValue);
  std::string path = pathValue.As<Napi::String>().Utf8Value();
  if (path.empty() || path.find('\0') != std::string::npos)
    ThrowArgValue(env, "path", "must be a non-empty string without null bytes");
  const uint64_t offset = ReadOptionalCount(opts, "fileOffsetBytes", 0, 0, kMaxSafeInteger);
  if (offset % pageSize != 0)
    ThrowArgValue(env, "fileOffsetBytes", "must be a multiple of the page size (" + std::to_string(pageSize) +
                                              " bytes). Received " + std::to_string(offset));
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    int err = errno;
    ThrowErrno(env, err, "stat", path);
  }
  if (!S_ISREG(st.st_mode)) ThrowArgValue(env, "path", "must name a regular file. Received '" + path + "'");
  FdGuard file;
  file.fd = open(path.c_str(), (needWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
  if (file.fd < 0) {
    int err = errno;
    ThrowErrno(env, err, "open", path);
  }
  if (fstat(file.fd, &st) != 0) {
    int err = errno;
    ThrowErrno(env, err, "fstat", path);
  }
  if (!S_ISREG(st.st_mode)) ThrowArgValue(env, "path", "must name a regular file. Received '" + path + "'");
  const uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  const uint64_t available = fileSize > offset ? fileSize - offset : 0;
  const uint64_t size = ReadOptionalCount(opts, "sizeBytes", available, 1, kMaxSafeInteger);
  if (size == 0)
    ThrowArgValue(env, "path", "names a file with no bytes at fileOffsetBytes " + std::to_string(offset) +
                                   "; give sizeBytes to map past its end");
  return FileTarget{file.Release(), offset, size};
}

// Reserves `mapped + alignBytes` bytes of inaccessible address space and returns the
// aligned start of it, the rest unmapped again: the caller maps there with MAP_FIXED,
// which replaces only this reservation.
void* ReserveAligned(Napi::Env env, size_t mapped, uint64_t alignBytes) {
  const size_t reserve = mapped + alignBytes;
  void* raw = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) {
    int err = errno;
    ThrowErrno(env, err, "mmap", "reserving " + std::to_string(reserve) + " bytes to align to " + std::to_string(alignBytes));
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + alignBytes - 1) & ~static_cast<uintptr_t>(alignBytes - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = aligned + mapped;
  if (start + reserve > tail) munmap(reinterpret_cast<void*>(tail), start + reserve - tail);
  return reinterpret_cast<void*>(aligned);
}

// MADV_HUGEPAGE over a fresh mapping; on failure unmaps it and throws.
void AdviseHugePages(Napi::Env env, void* base, size_t mapped) {
#ifdef MADV_HUGEPAGE
  if (madvise(base, mapped, MADV_HUGEPAGE) != 0) {
    int err = errno;
    munmap(base, mapped);
    ThrowErrno(env, err, "madvise", "MADV_HUGEPAGE (is transparent huge page support compiled in?)");
  }
#else
  munmap(base, mapped);
  ThrowUnsupported(env, "MADV_HUGEPAGE is not known to the headers this addon was built with");
#endif
}

}  // namespace

int Region::Scrub() {
  if (base == nullptr) return 0;
  // MAP_FIXED replaces the old pages atomically: no moment without a mapping here.
  void* fresh = mmap(base, mappedBytes, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  const int result = fresh == MAP_FAILED ? errno : 0;
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
  return result;
}

int Region::Release() {
  int result = 0;
  if (base != nullptr) {
    if (munmap(base, mappedBytes) != 0) result = errno;
    base = nullptr;
    LiveHandles().mappings--;
  }
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
  return result;
}

Napi::Function Mapping::Define(Napi::Env env) {
  return DefineClass(env, "Mapping",
                     {
                         InstanceMethod<&Mapping::Unmap>("unmap"),
                         InstanceMethod<&Mapping::Protect>("protect"),
                         InstanceMethod<&Mapping::Advise>("advise"),
                         InstanceMethod<&Mapping::Sync>("sync"),
                         InstanceMethod<&Mapping::AsArrayBuffer>("asArrayBuffer"),
                         InstanceMethod<&Mapping::Touch>("touch"),
                         InstanceMethod<&Mapping::Residency>("residency"),
                         InstanceMethod<&Mapping::FileSizeBytes>("fileSizeBytes"),
                         InstanceAccessor<&Mapping::GetAddress>("address"),
                         InstanceAccessor<&Mapping::GetSizeBytes>("sizeBytes"),
                         InstanceAccessor<&Mapping::GetMappedBytes>("mappedBytes"),
                         InstanceAccessor<&Mapping::GetPageSizeBytes>("pageSizeBytes"),
                         ClosedAccessor(),
                         InstanceAccessor<&Mapping::GetProtection>("protection"),
                         CreationAccessor(),
                     });
}

// new Mapping({ sizeBytes?, protection, shared, path?, fileOffsetBytes, populate,
//               noreserve, alignBytes, hugePages })
Mapping::Mapping(const Napi::CallbackInfo& info) : Handle<Mapping>(info) {
  Construct(info, [&] { Map(info); }, [] {});
}

// The constructor's work. A throw leaves nothing behind: the file descriptor closes
// with its guard, each failure after an mmap unmaps it before throwing, and the region
// exists only once everything has succeeded.
void Mapping::Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pageSize_ = PageSize();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");

  prot_ = ReadProt(opts.Has("protection") && !opts.Get("protection").IsUndefined() ? opts.Get("protection")
                                                                                   : Napi::String::New(env, "read-write"),
                   "protection");
  shared_ = ReadOptionalBool(opts, "shared", false);
  const bool populate = ReadOptionalBool(opts, "populate", false);
  const bool noreserve = ReadOptionalBool(opts, "noreserve", false);
  const bool hugePages = ReadOptionalBool(opts, "hugePages", false);
  const uint64_t alignBytes = ReadOptionalCount(opts, "alignBytes", pageSize_, pageSize_, 1ULL << 30);
  if ((alignBytes & (alignBytes - 1)) != 0)
    ThrowArgValue(env, "alignBytes", "must be a power of two. Received " + std::to_string(alignBytes));

  FdGuard file;
  Napi::Value pathValue = opts.Get("path");
  if (!pathValue.IsUndefined()) {
    const FileTarget target = OpenFileToMap(env, opts, pathValue, shared_ && (prot_ & PROT_WRITE), pageSize_);
    file.fd = target.fd;
    fileOffset_ = target.offsetBytes;
    sizeBytes_ = target.sizeBytes;
  } else {
    if (opts.Get("fileOffsetBytes").IsUndefined() == false)
      ThrowArgValue(env, "fileOffsetBytes", "only applies to a file mapping (give path)");
    Napi::Value size = opts.Get("sizeBytes");
    sizeBytes_ = ReadCount(size, "sizeBytes", 1, kMaxSafeInteger);
  }

  const size_t mapped = RoundUp(sizeBytes_, pageSize_);
  if (mapped < sizeBytes_) ThrowOutOfRange(env, "sizeBytes", "small enough to round up to whole pages", std::to_string(sizeBytes_));
  int flags = shared_ ? MAP_SHARED : MAP_PRIVATE;
  if (file.fd < 0) flags |= MAP_ANONYMOUS;
  if (populate) flags |= MAP_POPULATE;
  if (noreserve) flags |= MAP_NORESERVE;

  FaultClock clock;
  void* where = nullptr;
  if (alignBytes > pageSize_) {
    where = ReserveAligned(env, mapped, alignBytes);
    flags |= MAP_FIXED;  // replaces only our own reservation
  }
  void* base = mmap(where, mapped, prot_, flags, file.fd, static_cast<off_t>(fileOffset_));
  if (base == MAP_FAILED) {
    int err = errno;
    if (where != nullptr) munmap(where, mapped);
    ThrowErrno(env, err, "mmap", std::to_string(mapped) + " bytes" + (noreserve ? " with MAP_NORESERVE" : ""));
  }
  if (hugePages) AdviseHugePages(env, base, mapped);
  creation_ = clock.Elapsed();

  region_ = std::make_shared<Region>();
  region_->base = static_cast<uint8_t*>(base);
  LiveHandles().mappings++;
  region_->mappedBytes = mapped;
  region_->fd = file.Release();
}

void Mapping::DetachBuffer() {
  if (buffer_.IsEmpty()) return;
  // Hazard: the C API, statuses checked, never a throw: if JS cannot run, skip the detach (no JS left to reach the buffer).
  napi_env env = buffer_.Env();
  napi_value ab = nullptr;
  bool detached = true;
  if (napi_get_reference_value(env, buffer_, &ab) == napi_ok && ab != nullptr &&
      napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && !detached)
    napi_detach_arraybuffer(env, ab);
  buffer_.Reset();
}

size_t Mapping::TouchableBytes(Napi::Env env) const {
  if (region_->fd < 0) return sizeBytes_;
  struct stat st;
  if (fstat(region_->fd, &st) != 0) {
    int err = errno;
    ThrowErrno(env, err, "fstat", "the mapped file");
  }
  const uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  if (fileSize <= fileOffset_) return 0;
  // Whole pages that start before EOF are backed; the tail of the last one reads as 0.
  const uint64_t backed = RoundUp(static_cast<size_t>(fileSize - fileOffset_), pageSize_);
  return backed < sizeBytes_ ? static_cast<size_t>(backed) : sizeBytes_;
}

// unmap(detachNatively)
Napi::Value Mapping::Unmap(const Napi::CallbackInfo& info) {
  // Idempotent, like close() in better-sqlite3: a second unmap() does nothing.
  if (region_ == nullptr || region_->base == nullptr) return info.Env().Undefined();
  // Hazard: napi_detach_arraybuffer aborts the process (V8 Detach(...).Check()) when the
  // buffer carries a detach key, and nothing in Node-API can ask for one. Node >= 24's
  // worker_threads.markAsUntransferable() sets such a key, and the app may call it on
  // our buffer. So the caller decides: on runtimes with ArrayBuffer.prototype.transfer
  // the TypeScript layer detaches from JS (a keyed buffer throws there, catchably, and
  // stays attached; the zero-page swap below keeps it safe); only where JS cannot
  // detach (no transfer(), and no JS API that sets a key) is it done here.
  const bool detachNatively = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  if (detachNatively) DetachBuffer();
  buffer_.Reset();
  // Hazard: an ArrayBuffer we handed out can have been transferred within this thread
  // (e.g. enqueued into a byte ReadableStream): V8 then detaches ours but a new buffer
  // we cannot see shares the memory, and its finalizer still holds the Region. While
  // anything but us holds it, do not munmap: swap the pages for fresh zero memory
  // (freeing the old ones) and let the last buffer's finalizer unmap the range.
  const bool shared = region_.use_count() > 1;
  const int err = shared ? region_->Scrub() : region_->Release();
  region_.reset();
  if (err != 0) ThrowErrno(info.Env(), err, shared ? "mmap" : "munmap", shared ? "replacing pages a buffer may still reach" : "");
  return info.Env().Undefined();
}

Napi::Value Mapping::Protect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const int prot = ReadProt(info[0], "protection");
  // An ArrayBuffer promises JS read-write access, and detaching ours is not enough (it
  // may have been transferred within this thread, see Unmap): while any buffer may still
  // reach the memory, refuse to take rights away.
  if (prot != (PROT_READ | PROT_WRITE) && region_.use_count() > 1)
    ThrowArgValue(env, "protection", std::string("'") + ProtName(prot) + "' cannot be set while an ArrayBuffer from asArrayBuffer() may still "
                                     "reach this mapping (JS accesses would crash the process); unmap() it, or drop the buffer and let it be collected");
  if (mprotect(region_->base, region_->mappedBytes, prot) != 0) {
    int err = errno;
    ThrowErrno(env, err, "mprotect", std::string("to ") + ProtName(prot));
  }
  prot_ = prot;
  return env.Undefined();
}

// advise(advice, offsetBytes, lengthBytes) -> { minorFaults, majorFaults, elapsedNs }
Napi::Value Mapping::Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const NamedValue& advice = ReadNamed(info[0], "advice", kAdviceTable);
  const size_t offset = ReadCount(info[1], "offsetBytes", 0, sizeBytes_);
  if (offset % pageSize_ != 0)
    ThrowArgValue(env, "offsetBytes", "must be a multiple of the page size (" + std::to_string(pageSize_) +
                                          " bytes) for madvise. Received " + std::to_string(offset));
  const size_t length = ReadCount(info[2], "lengthBytes", 0, sizeBytes_ - offset);
  if (advice.value < 0)
    ThrowUnsupported(env, std::string("MADV_") + advice.name + " is not known to the headers this addon was built with");
  FaultClock clock;
  if (madvise(region_->base + offset, RoundUp(length, pageSize_), static_cast<int>(advice.value)) != 0) {
    int err = errno;
    std::string upper(advice.name);
    for (char& c : upper) c = static_cast<char>(toupper(c));
    std::string detail = "MADV_" + upper;
    if (err == EINVAL && advice.einvalHint != nullptr) detail += std::string(" (") + advice.einvalHint + ")";
    ThrowErrno(env, err, "madvise", detail);
  }
  return CountersToJs(env, clock.Elapsed());
}

Napi::Value Mapping::Sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (msync(region_->base, region_->mappedBytes, MS_SYNC) != 0) {
    int err = errno;
    ThrowErrno(env, err, "msync", "MS_SYNC");
  }
  return env.Undefined();
}

Napi::Value Mapping::AsArrayBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (!buffer_.IsEmpty()) {
    Napi::ArrayBuffer existing = buffer_.Value();
    if (!existing.IsEmpty() && !existing.IsDetached()) return existing;
    buffer_.Reset();
  }
  if (prot_ != (PROT_READ | PROT_WRITE))
    ThrowArgValue(env, "this", std::string("must be a read-write mapping to expose it as an ArrayBuffer; it is ") +
                                   ProtName(prot_));
  // Hazard: if another process truncates a mapped file, JS reading the lost pages
  // through a buffer would die of SIGBUS, and nothing can check each JS access. So
  // only anonymous memory is exposed; file mappings are reached through touch().
  if (region_->fd >= 0)
    ThrowUnsupported(env, "an ArrayBuffer over a file mapping could kill the process (SIGBUS) if the file shrank; "
                          "only anonymous mappings can be exposed as ArrayBuffers");
  const size_t length = sizeBytes_;
  auto* keepAlive = new std::shared_ptr<Region>(region_);
  napi_value result;
  napi_status status = napi_create_external_arraybuffer(
      env, region_->base, length,
      [](napi_env, void*, void* hint) noexcept { delete static_cast<std::shared_ptr<Region>*>(hint); }, keepAlive, &result);
  if (status != napi_ok) {
    // Who frees keepAlive: Node-API refuses some calls before it takes the hint (an
    // exception already pending, a bad argument, a runtime without external buffers);
    // past those checks the hint belongs to the buffer's finalizer, which runs even when
    // no buffer comes out (node::Buffer::New calls it for a length over
    // buffer.constants.MAX_LENGTH: 4 GiB on Node 20). Deleting it here too freed it twice.
    if (status == napi_pending_exception || status == napi_invalid_arg || status == napi_no_external_buffers_allowed)
      delete keepAlive;
    if (status == napi_no_external_buffers_allowed)
      ThrowUnsupported(env, "this runtime forbids external ArrayBuffers (V8 sandbox, e.g. Electron); "
                            "use touch() and residency() instead of asArrayBuffer()");
    ThrowUnsupported(env, "this runtime could not make an ArrayBuffer of " + std::to_string(length) +
                              " bytes over the mapping (" + NapiFailure(env) + "); use touch() and residency() instead");
  }
  Napi::ArrayBuffer ab(env, result);
  buffer_ = Napi::Weak(ab);
  return ab;
}

// touch(offsetBytes, lengthBytes, strideBytes, mode) -> { pagesTouched, minorFaults, majorFaults, elapsedNs }
Napi::Value Mapping::Touch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  TouchArgs a = ReadTouchArgs(info, sizeBytes_);
  const int need = a.write ? PROT_WRITE : PROT_READ;
  if ((prot_ & need) == 0)
    ThrowArgValue(env, "mode", std::string("'") + (a.write ? "write" : "read") + "' is not allowed on a " +
                                   ProtName(prot_) + " mapping (it would raise SIGSEGV)");
  if (a.length > 0) {
    const size_t last = a.stride == 0 ? a.offset + a.length - 1 : a.offset + (a.length - 1) / a.stride * a.stride;
    const size_t touchable = TouchableBytes(env);
    if (last >= touchable)
      ThrowOutOfRange(env, "lengthBytes", "within the " + std::to_string(touchable) +
                                              " bytes the file backs (past its end a touch raises SIGBUS)",
                      std::to_string(a.length) + " from offset " + std::to_string(a.offset));
  }
  if (region_->fd < 0) return TouchResultToJs(env, TouchRange(region_->base, a.offset, a.length, a.stride, a.write, pageSize_));
  // File pages: the file can shrink between the size check above and the access.
  TouchResult result;
  uint8_t* base = region_->base;
  const uintptr_t lo = reinterpret_cast<uintptr_t>(base);
  const bool ok = RunCatchingSigbus(lo, lo + region_->mappedBytes, [&] {
    result = TouchRange(base, a.offset, a.length, a.stride, a.write, pageSize_);
  });
  if (!ok)
    ThrowOutOfRange(env, "lengthBytes", "within the bytes the file backs (it shrank during the touch: SIGBUS caught)",
                    std::to_string(a.length) + " from offset " + std::to_string(a.offset));
  return TouchResultToJs(env, result);
}

// residency(offsetBytes, lengthBytes, maxRuns)
Napi::Value Mapping::Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const RangeArgs a = ReadRangeArgs(info, sizeBytes_);
  return ScanResidency(env, reinterpret_cast<uintptr_t>(region_->base) + a.offset, a.length, a.maxRuns, pageSize_);
}

Napi::Value Mapping::FileSizeBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (region_->fd < 0) return env.Null();
  struct stat st;
  if (fstat(region_->fd, &st) != 0) {
    int err = errno;
    ThrowErrno(env, err, "fstat", "the mapped file");
  }
  return Napi::Number::New(env, static_cast<double>(st.st_size));
}

Napi::Value Mapping::GetAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (region_ == nullptr || region_->base == nullptr) return env.Null();
  return Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(region_->base)));
}
Napi::Value Mapping::GetSizeBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(sizeBytes_));
}
Napi::Value Mapping::GetMappedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(RoundUp(sizeBytes_, pageSize_)));
}
Napi::Value Mapping::GetPageSizeBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pageSize_));
}
Napi::Value Mapping::GetProtection(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ProtName(prot_));
}

}  // namespace vmprobe
