#pragma once
// What the numbers of a weights or results file depend on besides the code:
// the BLAS library, its version and the kernel it picked for this CPU, its
// thread count, the CPU model, and whether the build used -march=native.
// OpenBLAS selects its GEMM kernel at run time from the CPU (DYNAMIC_ARCH), and
// different kernels sum in different orders, so training on another machine
// can give different (not bit-identical) weights; see data/README.md. Stored
// as a JSON attribute "numerics" in every weights and results file.
#include "core/params.hpp"

namespace interplay {

// {"blas": "OpenBLAS 0.3.21 DYNAMIC_ARCH ...", "blas_core": "Haswell",
//  "blas_threads": 1, "openmp_threads": 2, "cpu": "...", "native_build": true}
json numeric_provenance();

}  // namespace interplay
