#pragma once
// Non-temporal output for passes over tensors much larger than the caches.
// A plain store to a line that is not cached first reads the line from
// memory (read-for-ownership); a non-temporal store writes the whole line
// without reading it. That saves a third of a read-modify-write pass's
// memory traffic, and it keeps the output from evicting the input.
//
// It pays where the stores wait on memory (the strided-column kernel:
// +12 % on one thread); measured on a compute-bound loop (stochastic
// rounding), a burst of non-temporal stores after each chunk made it 25 %
// slower, so kernels opt in one by one, measured.
#include <cstddef>
#include <cstdint>
#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace interplay {

// Whether a pass writing `n` floats should stream them: only outputs well
// beyond the last-level cache, which a plain store would have to fetch first
// and which the next step could not find in the cache anyway.
inline bool stream_output(std::size_t n) {
  return n * sizeof(float) >= (std::size_t(32) << 20);
}

// dst[0, n) = src[0, n): the whole 64-byte lines of dst with non-temporal
// stores, a ragged head and tail with plain ones. src is a buffer the
// kernel just wrote (in L1). Call stream_fence() before other threads read
// dst.
inline void stream_copy(float* dst, const float* src, std::size_t n) {
  std::size_t i = 0;
#ifdef __SSE2__
  for (; i < n && (reinterpret_cast<std::uintptr_t>(dst + i) & 63) != 0; ++i) dst[i] = src[i];
  for (; i + 16 <= n; i += 16) {
#ifdef __AVX512F__
    _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
#else
    for (std::size_t j = i; j < i + 16; j += 4) _mm_stream_ps(dst + j, _mm_loadu_ps(src + j));
#endif
  }
#endif
  for (; i < n; ++i) dst[i] = src[i];
}

// Orders this thread's non-temporal stores before its later stores (the
// ones an OpenMP barrier makes), so that other threads see the output.
inline void stream_fence() {
#ifdef __SSE2__
  _mm_sfence();
#endif
}

}  // namespace interplay
