// Shared by every translation unit of the addon (and precompiled once: ATen.h is the slow part).
//
// Design (after tch-rs): JS never sees an at::Tensor. Every tensor lives in one table; JS holds an
// opaque number (slot + generation) inside a private field of its Tensor wrapper. A disposed or
// recycled handle fails the generation check, so a stale handle is a clean error, never a
// use-after-free. Every binding runs inside `guarded` (core.cc), which turns each C++ exception
// (c10::Error included) into a thrown JS error: nothing a caller passes can abort the process.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace tl {

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);
struct Binding {
  const char* name;
  Fn fn;
};

// Registers a table of bindings on `exports`, each wrapped in the exception guard.
void registerAll(Napi::Env env, Napi::Object exports, const Binding* table, size_t n);
// The same for generated ATen bindings: errors are prefixed with `aten::<name>: `.
void registerNamed(Napi::Env env, Napi::Object target, const Binding* table, size_t n);
#define TL_REGISTER(env, exports, table) \
  ::tl::registerAll(env, exports, table, sizeof(table) / sizeof(table[0]))

// Thrown for wrong JS arguments; mapped to TypeError / RangeError by the guard.
struct ArgTypeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ArgRangeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- the tensor table -------------------------------------------------------------------
Napi::Value put(Napi::Env env, at::Tensor t);   // registers t, returns its handle (or null if undefined)
at::Tensor& get(const Napi::Value& v);           // the tensor behind a handle, or throws

// ---- argument readers (i = position in the call) --------------------------------------
at::Tensor& T(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> optT(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> TL(const Napi::CallbackInfo& info, size_t i);
int64_t I(const Napi::CallbackInfo& info, size_t i);
c10::optional<int64_t> optI(const Napi::CallbackInfo& info, size_t i);
double D(const Napi::CallbackInfo& info, size_t i);
c10::optional<double> optD(const Napi::CallbackInfo& info, size_t i);
bool B(const Napi::CallbackInfo& info, size_t i);
std::string Str(const Napi::CallbackInfo& info, size_t i);
at::Scalar S(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Scalar> optS(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> IL(const Napi::CallbackInfo& info, size_t i);
bool isNullish(const Napi::CallbackInfo& info, size_t i);
// dtype codes are c10::ScalarType values; -1 (or null/undefined) means "not given".
c10::optional<at::ScalarType> optDtype(const Napi::CallbackInfo& info, size_t i);
at::Device Dev(const Napi::CallbackInfo& info, size_t i);  // "cpu", "cuda", "cuda:1"
// creation options: dtype code at i, device string at i+1 (requiresGrad at i+2 is applied by RG:
// at:: factories ignore TensorOptions::requires_grad, only torch:: ones honour it)
at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t i, at::ScalarType fallback);
Napi::Value RG(const Napi::CallbackInfo& info, at::Tensor t, size_t i);

// ---- results ----------------------------------------------------------------------------
inline Napi::Value R(const Napi::CallbackInfo& info, at::Tensor t) { return put(info.Env(), std::move(t)); }
Napi::Value RList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);
Napi::Value RPair(const Napi::CallbackInfo& info, const std::tuple<at::Tensor, at::Tensor>& ts);

// per-file registration entry points
void registerCore(Napi::Env env, Napi::Object exports);
void registerAutograd(Napi::Env env, Napi::Object exports);
void registerCreation(Napi::Env env, Napi::Object exports);
void registerMath(Napi::Env env, Napi::Object exports);
void registerShape(Napi::Env env, Napi::Object exports);
void registerNN(Napi::Env env, Napi::Object exports);
void registerForeach(Napi::Env env, Napi::Object exports);

}  // namespace tl
