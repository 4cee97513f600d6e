// Shorthand for the table-driven op bindings (ops_*.cc): one entry maps a JS name to one ATen call.
//   {"neg", FN(OUT(at::neg(A)))}  ==  a capture-less lambda reading argument 0 and returning a handle.
#pragma once
#include "common.h"

namespace tl {
using CI = const Napi::CallbackInfo;
}  // namespace tl

#define FN(body) [](::tl::CI& info) -> Napi::Value { body; }
#define OUT(expr) return R(info, expr)
// In-place ops return their first argument's handle (the JS layer returns `this`).
#define INPLACE(expr) \
  (expr);             \
  return info[0]
#define A T(info, 0)
#define Bt T(info, 1)
