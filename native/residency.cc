// residency.cc — which pages of a range are resident, by mincore(2).
//
// Follows mincore(2): the start must be page-aligned (we align down), the vector gets
// one byte per page and only bit 0 means "resident"; the other bits are reserved.
// ENOMEM means part of the range is not mapped. Memory use is bounded: the vector is
// reused in chunks of kChunkBytes, so a 64 GiB range costs 1 MiB, not 16 MiB.
// mincore never dereferences the range, so scanning any address is safe.
// Since Linux 5.2, for file mappings mincore only reports page-cache residency of
// files the caller could open for writing; other pages read as resident only if
// mapped in this process (see DESIGN.md and the README).
#include "residency.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "args.h"
#include "sysinfo.h"
#include "errors.h"

namespace vmprobe {

namespace {
constexpr size_t kChunkBytes = 1 << 20;  // mincore vector bytes per call: 1 MiB
constexpr uint64_t kLowBits = 0x0101010101010101ULL;  // bit 0 of each of 8 bytes
}

Napi::Object ScanResidency(Napi::Env env, uint64_t address, uint64_t lengthBytes, size_t maxRuns, size_t pageSize) {
  const uint64_t firstPage = address / pageSize;
  const uint64_t endByte = address + lengthBytes;
  if (endByte < address) ThrowOutOfRange(env, "lengthBytes", "small enough that address + lengthBytes < 2^64", "an overflowing range");
  const uint64_t pages = lengthBytes == 0 ? 0 : (endByte - 1) / pageSize - firstPage + 1;

  std::vector<unsigned char> vec(static_cast<size_t>(pages < kChunkBytes ? pages : kChunkBytes));
  uint64_t resident = 0;
  uint64_t runCount = 0;
  Napi::Array runs = Napi::Array::New(env);
  uint32_t runsStored = 0;
  bool runOpen = false;
  bool runResident = false;
  uint64_t runStart = 0;

  auto closeRun = [&](uint64_t endPage) {
    if (runOpen && runsStored < maxRuns) {
      Napi::Object run = Napi::Object::New(env);
      run.Set("startPage", Napi::Number::New(env, static_cast<double>(runStart)));
      run.Set("pages", Napi::Number::New(env, static_cast<double>(endPage - runStart)));
      run.Set("resident", Napi::Boolean::New(env, runResident));
      runs.Set(runsStored++, run);
    }
  };

  for (uint64_t done = 0; done < pages;) {
    const uint64_t n = pages - done < vec.size() ? pages - done : vec.size();
    void* at = reinterpret_cast<void*>((firstPage + done) * pageSize);
    if (mincore(at, n * pageSize, vec.data()) != 0) {
      int err = errno;
      ThrowErrno(env, err, "mincore", err == ENOMEM ? "part of the range is not mapped" : "");
    }
    uint64_t i = 0;
    while (i < n) {
      // Fast path: 8 vector bytes at once. Only bit 0 of each byte means anything; when
      // all 8 bits agree with the open run, the word just extends it.
      if (runOpen && i + 8 <= n) {
        uint64_t word;
        std::memcpy(&word, vec.data() + i, sizeof word);
        const uint64_t bits = word & kLowBits;
        if (bits == (runResident ? kLowBits : 0)) {
          resident += runResident ? 8 : 0;
          i += 8;
          continue;
        }
      }
      const bool isResident = (vec[i] & 1) != 0;
      resident += isResident;
      if (!runOpen || isResident != runResident) {
        closeRun(done + i);
        runOpen = true;
        runResident = isResident;
        runStart = done + i;
        ++runCount;
      }
      ++i;
    }
    done += n;
  }
  closeRun(pages);

  Napi::Object out = Napi::Object::New(env);
  out.Set("pages", Napi::Number::New(env, static_cast<double>(pages)));
  out.Set("residentPages", Napi::Number::New(env, static_cast<double>(resident)));
  out.Set("runCount", Napi::Number::New(env, static_cast<double>(runCount)));
  out.Set("runs", runs);
  return out;
}

Napi::Value MincoreScan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint64_t address = ReadAddress(info[0], "address");
  const uint64_t length = ReadCount(info[1], "lengthBytes", 0, kMaxSafeInteger);
  const size_t maxRuns = ReadCount(info[2], "maxRuns", 0, kMaxRuns);
  return ScanResidency(env, address, length, maxRuns, PageSize());
}

Napi::Value BufferRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value v = info[0];
  void* data = nullptr;
  size_t length = 0;
  bool ok = false;
  // The raw calls give the data pointer of views over SharedArrayBuffers too, which
  // Napi::TypedArray::ArrayBuffer().Data() does not.
  bool is = false;
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    ok = napi_get_arraybuffer_info(env, v, &data, &length) == napi_ok;
  } else if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t elements = 0;
    ok = napi_get_typedarray_info(env, v, &type, &elements, &data, nullptr, nullptr) == napi_ok;
    length = Napi::TypedArray(env, v).ByteLength();
  } else if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    ok = napi_get_dataview_info(env, v, &length, &data, nullptr, nullptr) == napi_ok;
  } else {
    ThrowArgType(env, "buffer", "an instance of ArrayBuffer, Buffer, TypedArray or DataView", info[0]);
  }
  if (!ok) ThrowArgValue(env, "buffer", "could not be inspected (napi_get_*_info failed)");
  Napi::Object out = Napi::Object::New(env);
  // A detached or empty buffer has no pages; its data pointer means nothing.
  if (data == nullptr || length == 0) {
    out.Set("address", env.Null());
    out.Set("byteLength", Napi::Number::New(env, 0));
  } else {
    out.Set("address", Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(data))));
    out.Set("byteLength", Napi::Number::New(env, static_cast<double>(length)));
  }
  return out;
}

}  // namespace vmprobe
